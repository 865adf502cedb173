import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { integrityCheck, openConnection, schemaVersion } from '../../src/main/store';
import { cleanEnv, runCli, startCli } from '../helpers/cli';
import { fillEveryTable, LATER_COLUMNS, snapshot } from '../helpers/rows';
import { tempDir } from '../helpers/tmp';

function setup(extra: Record<string, string> = {}) {
  const root = tempDir();
  const dataDir = path.join(root, 'data');
  return { root, dataDir, env: cleanEnv(dataDir, extra), db: path.join(dataDir, 'plainview.db') };
}

async function runStationUntilReady(env: NodeJS.ProcessEnv, cwd: string) {
  const station = startCli(['station'], env, cwd);
  await station.waitFor('station ready');
  return station;
}

describe('plainview station', () => {
  it('creates the database at the newest schema, logs JSON lines and stops within 5 s of SIGTERM', async () => {
    const { root, env, db } = setup({ PLAINVIEW_JSON_LOGGING: 'true' });
    const station = await runStationUntilReady(env, root);

    const lines = station
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ready = lines.find((l) => l.message === 'station ready');
    expect(ready).toMatchObject({ level: 'INFO', logger: 'plainview', schema_version: migrations.length });
    for (const l of lines) expect(Object.keys(l).slice(0, 4)).toEqual(['timestamp', 'level', 'logger', 'message']);

    const sent = Date.now();
    station.child.kill('SIGTERM');
    const { code } = await station.exited;
    expect(code).toBe(0);
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(station.output()).toContain('station stopped');

    // Closed cleanly: the WAL was folded in, the file is whole.
    expect(fs.existsSync(`${db}-wal`) ? fs.statSync(`${db}-wal`).size : 0).toBe(0);
    expect(integrityCheck(db)).toEqual(['ok']);
    const conn = openConnection(db);
    expect(schemaVersion(conn)).toBe(migrations.length);
    conn.close();
  });

  it('a second start reuses the database and its rows', async () => {
    const { root, env, db } = setup();
    let station = await runStationUntilReady(env, root);
    station.child.kill('SIGINT');
    expect((await station.exited).code).toBe(0);

    const conn = openConnection(db);
    conn
      .prepare(
        "INSERT INTO operators (username, display_name, role, created_at) VALUES ('bob', 'Bob', 'viewer', 'now')",
      )
      .run();
    conn.close();

    station = await runStationUntilReady(env, root);
    expect(station.output()).not.toContain('database migrated');
    station.child.kill('SIGTERM');
    expect((await station.exited).code).toBe(0);
    const again = openConnection(db);
    expect(again.prepare('SELECT username FROM operators').all()).toEqual([{ username: 'bob' }]);
    again.close();
  });

  it('a second station or a schema change on the same data folder is refused while one runs', async () => {
    const { root, env } = setup();
    const station = await runStationUntilReady(env, root);
    try {
      const second = runCli(['station'], env, root);
      expect(second.code).not.toBe(0);
      expect(second.stderr).toMatch(/is in use by a Plainview station/);
      const migrate = runCli(['db', 'rollback'], env, root);
      expect(migrate.code).not.toBe(0);
      expect(migrate.stderr).toMatch(/is in use by a Plainview station/);
      const status = runCli(['db', 'status'], env, root);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`schema version: +${migrations.length}`));
    } finally {
      station.child.kill('SIGTERM');
      expect((await station.exited).code).toBe(0);
    }
  });

  it('a repeated signal does not cut the clean stop short', async () => {
    const { root, env } = setup();
    const station = await runStationUntilReady(env, root);
    station.child.kill('SIGINT');
    station.child.kill('SIGINT');
    station.child.kill('SIGTERM');
    expect(await station.exited).toEqual({ code: 0, signal: null });
    expect(station.output()).toContain('station stopped');
  });

  it('a bad configuration value stops start-up with one line naming the key, exit 2', () => {
    const { root, env, db } = setup({ PLAINVIEW_LOG_LEVEL: 'loud' });
    const r = runCli(['station'], env, root);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PLAINVIEW_LOG_LEVEL \(from the environment\) is "loud"/);
    expect(lines[0]).toMatch(/error, warn, info, debug or trace/);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(db)).toBe(false);
  });

  it('a database from a newer schema is refused, naming both versions, exit non-zero', () => {
    const { root, env, dataDir, db } = setup();
    fs.mkdirSync(dataDir, { recursive: true });
    const conn = openConnection(db);
    conn.pragma('user_version = 99');
    conn.close();
    const r = runCli(['station'], env, root);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`schema version 99, but this Plainview only knows versions up to ${migrations.length}`),
    );
  });

  it('a truncated database is moved aside and the last good backup restored at start-up', async () => {
    const { root, env, dataDir, db } = setup();
    let station = await runStationUntilReady(env, root);
    await station.waitFor('database backed up');
    station.child.kill('SIGTERM');
    await station.exited;
    fs.truncateSync(db, 1000);

    station = await runStationUntilReady(env, root);
    expect(station.output()).toContain('DATABASE RESTORED FROM BACKUP');
    station.child.kill('SIGTERM');
    expect((await station.exited).code).toBe(0);
    const quarantined = fs.readdirSync(path.join(dataDir, 'quarantine'));
    expect(quarantined.some((f) => f.endsWith('.db'))).toBe(true);
    expect(integrityCheck(db)).toEqual(['ok']);
  });
});

describe('plainview db', () => {
  function seeded() {
    const s = setup();
    expect(runCli(['db', 'migrate'], s.env, s.root).code).toBe(0);
    const conn = openConnection(s.db);
    fillEveryTable(conn);
    conn.close();
    return s;
  }

  it('rollback then migrate keeps every row of every table', () => {
    const { root, env, db } = seeded();
    const read = () => {
      const c = openConnection(db);
      try {
        const rows = snapshot(c, LATER_COLUMNS);
        // The rollback and the migration audit themselves: compare the rows that were there.
        const maintenance = (rows.audit_log as { action: string }[]).filter((r) => r.action.startsWith('db.'));
        rows.audit_log = (rows.audit_log as { action: string }[]).filter((r) => !r.action.startsWith('db.'));
        return { version: schemaVersion(c), rows, maintenance: maintenance.map((r) => r.action) };
      } finally {
        c.close();
      }
    };
    const before = read();

    const down = runCli(['db', 'rollback'], env, root);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/backed up to .*pre-rollback/);
    expect(down.stdout).toMatch(new RegExp(`rolled back from ${migrations.length} to ${migrations.length - 1}`));
    expect(read()).toEqual({
      ...before,
      version: migrations.length - 1,
      maintenance: [...before.maintenance, 'db.rollback'],
    });

    const status = runCli(['db', 'status'], env, root);
    const newest = migrations.at(-1)!;
    expect(status.stdout).toMatch(new RegExp(`pending: +${newest.version}-${newest.name}`));

    const up = runCli(['db', 'migrate'], env, root);
    expect(up.code).toBe(0);
    expect(read()).toEqual({ ...before, maintenance: [...before.maintenance, 'db.rollback', 'db.migrate'] });
  });

  it('rollback below version 1 is refused with a clear line', () => {
    const { root, env } = seeded();
    const r = runCli(['db', 'rollback', '--to', '0'], env, root);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/refusing to roll back below schema version 1/);
  });

  it('backup writes a file that passes the integrity check; check reports ok', () => {
    const { root, env } = seeded();
    const target = path.join(root, 'copy.db');
    const r = runCli(['db', 'backup', target], env, root);
    expect(r.code).toBe(0);
    expect(integrityCheck(target)).toEqual(['ok']);
    const check = runCli(['db', 'check'], env, root);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/integrity_check: ok/);
  });

  it('check exits 1 on a damaged database; status refuses it without restoring', () => {
    const { root, env, db } = seeded();
    fs.truncateSync(db, 3000);
    const check = runCli(['db', 'check'], env, root);
    expect(check.code).not.toBe(0);
    const status = runCli(['db', 'status'], env, root);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/is damaged/);
    expect(fs.statSync(db).size).toBe(3000);
  });

  it('status on a folder with no database says so instead of creating one', () => {
    const { root, env, db } = setup();
    const r = runCli(['db', 'status'], env, root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no database at/);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('every command has --help; an unknown command is an error', () => {
    const { root, env } = setup();
    for (const args of [['--help'], ['station', '--help'], ['db', '--help'], ['db', 'rollback', '--help']]) {
      const r = runCli(args, env, root);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: plainview/);
    }
    const bad = runCli(['db', 'explode'], env, root);
    expect(bad.code).not.toBe(0);
  });
});
