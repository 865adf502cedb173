import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, runCli, startCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

/*
 * DEPLOYMENT.md's restore procedure, run as written: the `restore.sh` block is saved as a
 * file and run with `sh` exactly as IT would, with `plainview` on the PATH (a shim in front
 * of the built CLI, as the deb's /usr/bin/plainview is). The backup it restores must come
 * back whole, what was written after it must be gone, the replaced files must be kept
 * aside, and the station must start on the restored database. Both after a clean stop (no
 * -wal/-shm beside the database) and after a crash (a -wal holding the newest writes).
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

/** Starts the headless station, waits until it is ready, and stops it by `signal`. */
async function runStation(env: NodeJS.ProcessEnv, cwd: string, signal: NodeJS.Signals) {
  const station = startCli(['station'], env, cwd);
  cleanups.push(() => station.child.kill('SIGKILL'));
  await station.waitFor('station ready', 60_000);
  station.child.kill(signal);
  return station.exited;
}

describe("DEPLOYMENT.md's restore procedure", () => {
  for (const stop of ['a clean stop', 'a crash'] as const) {
    it(`brings back the chosen backup after ${stop}, keeping the replaced files aside`, async () => {
      const dir = tempDir();
      const data = path.join(dir, 'data');
      const env = cleanEnv(data);
      const bin = plainviewOnPath(dir);

      // A station that ran once, a key made before the backup, the backup, a key made after.
      expect((await runStation(env, dir, 'SIGTERM')).code).toBe(0);
      expect(runCli(['keys', 'create', '--name', 'before-backup', '--scope', 'read'], env, dir).code).toBe(0);
      const backup = path.join(dir, 'chosen-backup.db');
      expect(runCli(['db', 'backup', backup], env, dir).code).toBe(0);
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
