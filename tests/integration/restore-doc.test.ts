import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, runCli, startCli } from '../helpers/cli';
import { countSamples } from '../helpers/history';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

/*
 * DEPLOYMENT.md's restore procedure, run as written: the `restore.sh` block is saved as a
 * file and run with `sh` exactly as IT would, with `plainview` on the PATH (a shim in front
 * of the built CLI, as the deb's /usr/bin/plainview is). The backup it restores must come
 * back whole, what was written after it must be gone, the replaced files must be kept
 * aside, and the station must start on the restored database. Both after a clean stop (no
 * -wal/-shm beside the database; the history folder kept as it is) and after a crash (a -wal
 * holding the newest writes, the history folder lost: it comes back from its copies).
 */

const DEPLOYMENT = fs.readFileSync(path.resolve(__dirname, '../../DEPLOYMENT.md'), 'utf8');
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function restoreScript(): string {
  const m = /```sh restore\.sh\n([\s\S]*?)```/.exec(DEPLOYMENT);
  expect(m, 'DEPLOYMENT.md has a ```sh restore.sh block').not.toBeNull();
  return m![1]!;
}

/** A folder with `plainview` in it, running the built CLI with this Node. */
function plainviewOnPath(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'plainview'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, {
    mode: 0o755,
  });
  return bin;
}

function keyNames(env: NodeJS.ProcessEnv, cwd: string): string {
  const r = runCli(['keys', 'list'], env, cwd);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Starts the headless station, waits until it is ready (and `until`), and stops it by `signal`. */
async function runStation(env: NodeJS.ProcessEnv, cwd: string, signal: NodeJS.Signals, until?: () => boolean) {
  const station = startCli(['station'], env, cwd);
  cleanups.push(() => station.child.kill('SIGKILL'));
  await station.waitFor('station ready', 60_000);
  if (until) await waitFor(until, 'the station writing history', 60_000);
  station.child.kill(signal);
  return station.exited;
}

/** The samples the history copies in backups/history hold, as the script copies them back. */
function samplesInCopies(data: string): number {
  const copies = path.join(data, 'backups', 'history');
  const history = path.join(tempDir(), 'history');
  fs.mkdirSync(history);
  for (const dir of [path.join(copies, 'open'), copies])
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.db')))
      if (!fs.existsSync(path.join(history, name))) fs.copyFileSync(path.join(dir, name), path.join(history, name));
  return countSamples(history);
}

describe("DEPLOYMENT.md's restore procedure", () => {
  for (const stop of ['a clean stop', 'a crash'] as const) {
    it(`brings back the chosen backup after ${stop}, keeping the replaced files aside`, async () => {
      const dir = tempDir();
      const data = path.join(dir, 'data');
      const env = cleanEnv(data);
      const bin = plainviewOnPath(dir);

      // A station that ran once (the demo site's samples in history), a key made before the
      // backup, the backup (the database, and copies of the history files), a key made after.
      const samplesFile = () => fs.readdirSync(path.join(data, 'history')).some((n) => n.endsWith('.samples.db'));
      expect(
        (await runStation(env, dir, 'SIGTERM', () => fs.existsSync(path.join(data, 'history')) && samplesFile())).code,
      ).toBe(0);
      expect(runCli(['keys', 'create', '--name', 'before-backup', '--scope', 'read'], env, dir).code).toBe(0);
      const backup = path.join(dir, 'chosen-backup.db');
      expect(runCli(['db', 'backup', backup], env, dir).code).toBe(0);
      const backedUp = samplesInCopies(data);
      expect(backedUp).toBeGreaterThan(0);
      expect(runCli(['keys', 'create', '--name', 'after-backup', '--scope', 'read'], env, dir).code).toBe(0);
      if (stop === 'a crash') {
        // Killed while open: the newest writes sit in plainview.db-wal beside the database.
        const killed = await runStation(env, dir, 'SIGKILL');
        expect(killed.signal).toBe('SIGKILL');
        expect(fs.existsSync(path.join(data, 'plainview.db-wal'))).toBe(true);
      } else {
        expect(fs.existsSync(path.join(data, 'plainview.db-wal'))).toBe(false);
      }
      expect(keyNames(env, dir)).toContain('after-backup');
      const kept = countSamples(data);
      // After the crash, the history folder is lost with the database.
      if (stop === 'a crash') fs.rmSync(path.join(data, 'history'), { recursive: true });

      const script = path.join(dir, 'restore.sh');
      fs.writeFileSync(script, restoreScript());
      const r = spawnSync('sh', [script, backup], {
        cwd: dir,
        env: { ...env, PATH: `${bin}${path.delimiter}${env.PATH ?? ''}` },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      // The script ends with `plainview db check` and `plainview db status` of the restored file.
      expect(r.stdout).toContain('integrity_check: ok');
      expect(r.stdout).toMatch(/schema version: +\d+/);
      // History: a folder kept as it was; a lost one back as its copies had it.
      if (stop === 'a crash') {
        expect(r.stdout).toMatch(/history: [1-9]\d* files copied back/);
        expect(countSamples(data)).toBe(backedUp);
      } else {
        expect(r.stdout).toContain('history: 0 files copied back');
        expect(countSamples(data)).toBe(kept);
      }

      const names = keyNames(env, dir);
      expect(names).toContain('before-backup');
      expect(names).not.toContain('after-backup');
      const aside = fs.readdirSync(data).filter((f) => f.startsWith('before-restore-'));
      expect(aside).toHaveLength(1);
      expect(fs.readdirSync(path.join(data, aside[0]!))).toContain('plainview.db');
      if (process.platform !== 'win32') {
        expect(fs.statSync(path.join(data, 'plainview.db')).mode & 0o777).toBe(0o600);
      }

      // Step 4: the station starts on the restored database and stops cleanly.
      expect((await runStation(env, dir, 'SIGTERM')).code).toBe(0);
      expect(keyNames(env, dir)).not.toContain('after-backup');
    });
  }

  it('refuses to run without a backup file, touching nothing', () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'plainview.db'), 'current');
    const script = path.join(dir, 'restore.sh');
    fs.writeFileSync(script, restoreScript());
    const r = spawnSync('sh', [script, path.join(dir, 'no-such-backup.db')], {
      env: cleanEnv(data),
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no-such-backup.db');
    expect(fs.readFileSync(path.join(data, 'plainview.db'), 'utf8')).toBe('current');
  });
});
