import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { loadConfig } from '../../src/main/config';
import { createLogger, fileSink, memorySink } from '../../src/main/log';
import { writeWindowState } from '../../src/main/shell/window-state';
import { createStation } from '../../src/main/station';
import { openConnection, openStore } from '../../src/main/store';
import { cleanEnv, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

/*
 * The data folder holds the audit trail, the site's history and the logs: on Linux and macOS
 * only its account may read any of it (folders 0700, files 0600). These tests run with the
 * usual umask 022, under which a file made without care is 0644 and a folder 0755.
 */
const posix = process.platform !== 'win32';

/** Every file and folder under `root` (itself included) with its permission bits, as "0600". */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (p: string) => {
    const stat = fs.lstatSync(p);
    out[path.relative(root, p) || '.'] = (stat.mode & 0o777).toString(8).padStart(4, '0');
    if (stat.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(root);
  return out;
}

/** Asserts every folder is 0700 and every file 0600, naming the ones that are not. */
function expectPrivate(root: string): Record<string, string> {
  const found = modes(root);
  const wrong = Object.entries(found).filter(([p, mode]) => {
    const dir = fs.lstatSync(path.join(root, p)).isDirectory();
    return mode !== (dir ? '0700' : '0600');
  });
  expect(wrong, `not private under ${root}`).toEqual([]);
  return found;
}

function stationIn(dataDir: string, extra: Record<string, string> = {}) {
  const dir = path.dirname(dataDir);
  const { config } = loadConfig({
    env: { PLAINVIEW_DATA_DIR: dataDir, PLAINVIEW_LOG_MAX_BYTES: '4096', ...extra },
    cwd: dir,
    policyPath: path.join(dir, 'no-policy.json'),
    settingsPath: path.join(dir, 'no-settings.json'),
  });
  const log = fileSink(config.dataDir, config.logMaxBytes);
  return { config, station: createStation(config, { osAccount: 'alice', logSinks: [log] }) };
}

describe.runIf(posix)('the data folder is private on Linux and macOS', () => {
  it('a running station: folder, database, WAL, logs (rotated too), backups and window state', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const { config, station } = stationIn(dataDir);
    const running = await station.start();
    try {
      // Enough lines for the 4 KiB log to rotate at least once.
      for (let i = 0; i < 80; i++) station.log.info('filler', { i, padding: 'x'.repeat(100) });
      await running.store.backup('manual', config.backupKeep);
      await running.store.backup('manual', config.backupKeep, path.join(dataDir, 'exports', 'copy.db'));
      writeWindowState(path.join(dataDir, 'window-state.json'), { version: 1, layouts: {} });
      const found = expectPrivate(dataDir);
      expect(Object.keys(found)).toEqual(
        expect.arrayContaining([
          '.',
          'plainview.db',
          'plainview.db-wal',
          'plainview.db-shm',
          'plainview.lock',
          'backups',
          'logs',
          path.join('logs', 'main.log'),
          path.join('logs', 'main.1.log'),
          path.join('exports', 'copy.db'),
          'window-state.json',
        ]),
      );
      // The one the station takes at start, and ours unless it was still running (beside the
      // copies of history in backups/history).
      const backups = fs.readdirSync(path.join(dataDir, 'backups')).filter((n) => n !== 'history');
      expect(backups.length).toBeGreaterThan(0);
      for (const name of backups) expect(name).toMatch(/^plainview-.*\.db$/);
    } finally {
      await station.stop();
    }
    expectPrivate(dataDir);
  });

  it('a damaged database restored from backup: the quarantine and the restored file are private', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const log = createLogger({ level: 'error', json: true, sinks: [] });
    const first = await openStore({ dataDir, migrations, log, mode: 'station' });
    await first.store.backup('manual', 5);
    await first.store.close();
    fs.writeFileSync(path.join(dataDir, 'plainview.db'), 'not a database at all, just junk', { mode: 0o644 });
    const again = await openStore({ dataDir, migrations, log, mode: 'station' });
    try {
      expect(again.recovery).toBeDefined();
      const found = expectPrivate(dataDir);
      expect(Object.keys(found).some((p) => p.startsWith(`quarantine${path.sep}`))).toBe(true);
    } finally {
      await again.store.close();
    }
  });

  it('an older installation’s folder (0755, files 0644) is narrowed at start, and the log says what changed', async () => {
    const dataDir = path.join(tempDir(), 'data');
    fs.mkdirSync(path.join(dataDir, 'backups'), { recursive: true, mode: 0o755 });
    fs.mkdirSync(path.join(dataDir, 'logs'), { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    openConnection(path.join(dataDir, 'plainview.db')).close();
    fs.chmodSync(path.join(dataDir, 'plainview.db'), 0o644);
    fs.copyFileSync(
      path.join(dataDir, 'plainview.db'),
      path.join(dataDir, 'backups', 'plainview-20260101T000000000Z-v1-manual.db'),
    );
    fs.writeFileSync(path.join(dataDir, 'logs', 'main.log'), 'old line\n', { mode: 0o644 });
    fs.writeFileSync(path.join(dataDir, 'settings.json'), '{}', { mode: 0o644 });
    // Something of the user's that Plainview does not own is left as it is.
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'mine', { mode: 0o644 });

    const sink = memorySink();
    const log = createLogger({ level: 'info', json: true, sinks: [sink] });
    const { store, dataFolderNote } = await openStore({ dataDir, migrations, log, mode: 'station' });
    await store.close();
    // What the System view shows under the data folder.
    expect(dataFolderNote).toMatch(
      /^made private at this start: \d+ file\(s\) or folder\(s\) were readable by others$/,
    );

    const line = sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.data_dir === dataDir);
    expect(line).toMatchObject({ level: 'INFO', message: 'data folder made private: folders 0700, files 0600' });
    expect(line!.changed).toEqual(
      expect.arrayContaining([
        '.',
        'plainview.db',
        'settings.json',
        'backups',
        path.join('backups', 'plainview-20260101T000000000Z-v1-manual.db'),
        'logs',
        path.join('logs', 'main.log'),
      ]),
    );
    const found = modes(dataDir);
    expect(found['notes.txt']).toBe('0644');
    delete found['notes.txt'];
    fs.rmSync(path.join(dataDir, 'notes.txt'));
    expectPrivate(dataDir);

    // Nothing left to narrow: the next start says nothing about it.
    const quiet = memorySink();
    const second = await openStore({
      dataDir,
      migrations,
      log: createLogger({ level: 'info', json: true, sinks: [quiet] }),
      mode: 'station',
    });
    await second.store.close();
    expect(quiet.lines.join('\n')).not.toContain('made private');
    expect(second.dataFolderNote).toBeNull();
  });
});

describe.runIf(posix)('what the command line writes is private too', () => {
  it('plainview db backup (into backups/ and into a file) and audit export --output', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const env = cleanEnv(dataDir);
    expect(runCli(['db', 'migrate'], env, root)).toMatchObject({ code: 0 });
    expect(runCli(['db', 'backup'], env, root)).toMatchObject({ code: 0 });
    const target = path.join(root, 'elsewhere', 'north.db');
    expect(runCli(['db', 'backup', target], env, root)).toMatchObject({ code: 0 });
    expectPrivate(dataDir);
    expect(modes(path.dirname(target))).toEqual({ '.': '0700', 'north.db': '0600' });

    // An export over an existing, readable file narrows it: the audit trail is not for everyone.
    const csv = path.join(root, 'audit.csv');
    fs.writeFileSync(csv, 'old', { mode: 0o644 });
    const jsonl = path.join(root, 'audit.jsonl');
    expect(runCli(['audit', 'export', '--output', csv], env, root)).toMatchObject({ code: 0 });
    expect(runCli(['audit', 'export', '--format', 'jsonl', '--output', jsonl], env, root)).toMatchObject({ code: 0 });
    expect(modes(csv)['.']).toBe('0600');
    expect(modes(jsonl)['.']).toBe('0600');
    expect(fs.readFileSync(csv, 'utf8')).not.toBe('old');
  });
});
