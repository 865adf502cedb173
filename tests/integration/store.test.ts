import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrations } from '../../migrations';
import { memorySink, createLogger } from '../../src/main/log';
import {
  integrityCheck,
  migrate,
  openConnection,
  openStore,
  readPragmas,
  rollback,
  schemaVersion,
  StoreError,
  tableNames,
} from '../../src/main/store';
import { AuditLog } from '../../src/main/audit/audit-log';
import { fillEveryTable, LATER_COLUMNS, snapshot } from '../helpers/rows';
import { tempDir } from '../helpers/tmp';

function testLog() {
  const sink = memorySink();
  return { sink, log: createLogger({ level: 'debug', json: true, sinks: [sink] }) };
}

async function stationStore(dataDir: string) {
  const { log, sink } = testLog();
  const opened = await openStore({ dataDir, migrations, log, mode: 'station' });
  return { ...opened, sink };
}

describe('store: connections', () => {
  it('every connection runs WAL with synchronous=FULL and foreign keys on', async () => {
    const dir = tempDir();
    const { store } = await stationStore(dir);
    const second = openConnection(store.file);
    const reader = openConnection(store.file, { readonly: true });
    try {
      for (const db of [store.db, second, reader]) {
        const p = readPragmas(db);
        expect(p.journal_mode).toBe('wal');
        expect(p.synchronous).toBe(2);
        expect(p.foreign_keys).toBe(1);
        expect(p.busy_timeout).toBeGreaterThan(0);
      }
    } finally {
      second.close();
      reader.close();
      await store.close();
    }
  });

  it('a new database is created at the newest schema with every table', async () => {
    const { store } = await stationStore(tempDir());
    expect(store.schemaVersion).toBe(migrations.length);
    const tables = (
      store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining([...tableNames]));
    await store.close();
  });
});

describe('store: audit log is append-only', () => {
  it('appends and reads back, and refuses UPDATE and DELETE', async () => {
    const { store } = await stationStore(tempDir());
    const audit = new AuditLog(store.sql);
    const id = audit.append({
      actor: 'alice',
      stationId: 'ws-1',
      action: 'valve.operate',
      subject: 'v-101',
      result: 'sent',
      correlationId: 'c-1',
      requestId: null,
      detail: { action: 'close' },
    });
    expect(audit.list()).toMatchObject([{ id, actor: 'alice', subject: 'v-101', detail: { action: 'close' } }]);
    expect(() => store.db.prepare("UPDATE audit_log SET result = 'ok' WHERE id = ?").run(id)).toThrow(
      /append-only: UPDATE refused/,
    );
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE id = ?').run(id)).toThrow(/append-only: DELETE refused/);
    expect(audit.list()[0]!.result).toBe('sent');
    await store.close();
  });
});

describe('store: migrations', () => {
  it('are listed as versions 1..n, each with up and down', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    for (const m of migrations) {
      expect(typeof m.up).toBe('function');
      expect(typeof m.down).toBe('function');
    }
  });

  it('rollback then migrate on a database holding rows of every table loses none of them', async () => {
    const { store } = await stationStore(tempDir());
    fillEveryTable(store.db);
    for (const t of tableNames) expect(store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get()).not.toEqual({ n: 0 });
    const newColumns = LATER_COLUMNS;
    const before = snapshot(store.db, newColumns);

    rollback(store.db, migrations);
    expect(schemaVersion(store.db)).toBe(migrations.length - 1);
    expect(snapshot(store.db, newColumns)).toEqual(before);

    migrate(store.db, migrations);
    expect(schemaVersion(store.db)).toBe(migrations.length);
    expect(snapshot(store.db, newColumns)).toEqual(before);
    expect(integrityCheck(store.file)).toEqual(['ok']);
    await store.close();
  });

  it('v5 keeps only the newest retained snapshot per topic and every event', async () => {
    const { store } = await stationStore(tempDir());
    rollback(store.db, migrations, 4);
    expect(schemaVersion(store.db)).toBe(4);
    const add = store.db.prepare(
      "INSERT INTO outbox (id, topic, payload, retain, created_at) VALUES (?, ?, ?, ?, '2026-11-26T00:00:00Z')",
    );
    for (const [id, topic, retain] of [
      ['s1', 'snapshots/incidents/a', 1],
      ['e1', 'events/ws-1', 0],
      ['s2', 'snapshots/incidents/a', 1],
      ['t1', 'snapshots/alarms/b', 1],
      ['e2', 'events/ws-1', 0],
      ['s3', 'snapshots/incidents/a', 1],
    ] as const)
      add.run(id, topic, `{"${id}":1}`, retain);
    migrate(store.db, migrations);
    const ids = store.db.prepare('SELECT id FROM outbox ORDER BY rowid').pluck().all();
    expect(ids).toEqual(['e1', 't1', 'e2', 's3']);
    await store.close();
  });

  it('v6 takes diagnostic alarms and limit alarms; rolling back makes a diagnostic alarm low and keeps the definitions', async () => {
    const { store } = await stationStore(tempDir());
    fillEveryTable(store.db);
    store.db
      .exec(`INSERT INTO alarms (id, site_id, source, priority, state, message, raised_at, hlc, point_id, condition,
      limit_value, value, suppressed) VALUES ('lim-p-1-l', 'north', 'limit', 'diagnostic', 'active_unacked', 'Flow low',
      '2026-12-04T10:00:00.000Z', '0002', 'p-1', 'l', 10, 3.5, 1)`);
    rollback(store.db, migrations, 5);
    expect(schemaVersion(store.db)).toBe(5);
    expect(store.db.prepare("SELECT priority FROM alarms WHERE id = 'lim-p-1-l'").get()).toEqual({ priority: 'low' });
    expect(store.db.prepare('SELECT count(*) AS n FROM alarm_definitions').get()).toEqual({ n: 1 });
    migrate(store.db, migrations);
    expect(store.db.prepare("SELECT priority, suppressed FROM alarms WHERE id = 'lim-p-1-l'").get()).toEqual({
      priority: 'low',
      suppressed: 0,
    });
    expect(() => store.db.exec("UPDATE alarms SET priority = 'urgent' WHERE id = 'lim-p-1-l'")).toThrow(
      /CHECK constraint/,
    );
    expect(integrityCheck(store.file)).toEqual(['ok']);
    await store.close();
  });

  it('refuses to roll back below version 1, changing nothing', async () => {
    const { store } = await stationStore(tempDir());
    fillEveryTable(store.db);
    expect(() => rollback(store.db, migrations, 0)).toThrow(/below schema version 1.*delete all data/);
    expect(schemaVersion(store.db)).toBe(migrations.length);
    expect(store.db.prepare('SELECT count(*) AS n FROM valves').get()).toEqual({ n: 1 });
    await store.close();
  });

  it('a failing migration changes nothing', async () => {
    const dir = tempDir();
    const { store } = await stationStore(dir);
    fillEveryTable(store.db);
    rollback(store.db, migrations);
    const schema = () => store.db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    const before = schema();
    const broken = [
      ...migrations.slice(0, -1),
      {
        ...migrations.at(-1)!,
        up: (db: import('better-sqlite3').Database) => {
          migrations.at(-1)!.up(db);
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(store.db, broken)).toThrow(/migration failed, nothing was changed: boom/);
    expect(schemaVersion(store.db)).toBe(migrations.length - 1);
    // Whatever the last migration's `up` did before it threw is gone: tables, columns, indexes.
    expect(schema()).toEqual(before);
    await store.close();
  });

  it('backs up an existing database before migrating it', async () => {
    const dir = tempDir();
    const { store } = await stationStore(dir);
    fillEveryTable(store.db);
    rollback(store.db, migrations);
    await store.close();

    const reopened = await stationStore(dir);
    expect(reopened.store.schemaVersion).toBe(migrations.length);
    const pre = reopened.store.backups.list().find((b) => b.reason === 'pre-migrate');
    expect(pre?.schemaVersion).toBe(migrations.length - 1);
    const copy = openConnection(pre!.file, { readonly: true });
    expect(schemaVersion(copy)).toBe(migrations.length - 1);
    expect(copy.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 1 });
    copy.close();
    await reopened.store.close();
  });

  it('refuses a database from a newer schema, naming both versions', async () => {
    const dir = tempDir();
    const { store } = await stationStore(dir);
    store.db.pragma(`user_version = ${migrations.length + 5}`);
    await store.close();
    const attempt = stationStore(dir);
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `schema version ${migrations.length + 5}, but this Plainview only knows versions up to ${migrations.length}`,
      ),
    );
    // Refused, not touched.
    const check = openConnection(path.join(dir, 'plainview.db'));
    expect(schemaVersion(check)).toBe(migrations.length + 5);
    check.close();
  });
});

describe('store: damaged database', () => {
  async function withBackup(dir: string) {
    const { store } = await stationStore(dir);
    fillEveryTable(store.db);
    await store.backup('scheduled', 10);
    // Written after the backup: this is what the restore will be missing.
    store.db.prepare("INSERT INTO sites VALUES ('south', 'South', 0, '2026-11-25T11:00:00.000Z')").run();
    // Enough rows that the file spans many pages and a truncation cuts real data.
    const insert = store.db.prepare("INSERT INTO telemetry_samples VALUES ('p-1/pressure', ?, 1.0, 'good')");
    store.db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(1_800_000_000_000 + i);
    })();
    await store.close();
    return path.join(dir, 'plainview.db');
  }

  it('a truncated file is moved aside and the last good backup restored, loudly', async () => {
    const dir = tempDir();
    const file = await withBackup(dir);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size / 2));

    const { store, recovery, sink } = await stationStore(dir);
    expect(recovery?.problem).toMatch(/truncated/);
    expect(fs.existsSync(recovery!.quarantined)).toBe(true);
    expect(fs.statSync(recovery!.quarantined).size).toBe(Math.floor(size / 2));
    expect(store.db.prepare('SELECT id FROM sites ORDER BY id').all()).toEqual([{ id: 'north' }]);
    expect(integrityCheck(file)).toEqual(['ok']);
    const line = sink.lines.map((l) => JSON.parse(l)).find((l) => l.message.startsWith('DATABASE RESTORED'));
    expect(line).toMatchObject({ level: 'ERROR', quarantined: recovery!.quarantined });
    expect(line.missing_since).toBe(recovery!.restoredFrom.takenAt.toISOString());
    await store.close();
  });

  it('skips a backup that fails its integrity check and uses an older good one', async () => {
    const dir = tempDir();
    const file = await withBackup(dir);
    const good = fs.readdirSync(path.join(dir, 'backups'))[0]!;
    // A newer, broken backup.
    const bad = path.join(dir, 'backups', good.replace(/\d{8}T\d{9}Z/, '29991231T235959000Z'));
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 7)]));
    fs.writeFileSync(file, 'not a database at all');

    const { store, recovery } = await stationStore(dir);
    expect(path.basename(recovery!.restoredFrom.file)).toBe(good);
    expect(store.db.prepare('SELECT count(*) AS n FROM valves').get()).toEqual({ n: 1 });
    await store.close();
  });

  it('with no good backup it stops, says so, and leaves the damaged file in place', async () => {
    const dir = tempDir();
    const { store } = await stationStore(dir);
    fillEveryTable(store.db);
    await store.close();
    const file = path.join(dir, 'plainview.db');
    fs.truncateSync(file, 50);

    await expect(stationStore(dir)).rejects.toThrow(/damaged .* no backup .* passes an integrity check/);
    expect(fs.statSync(file).size).toBe(50);
  });
});

describe('store: one writer per data folder', () => {
  it('a second station on the same data folder is refused, naming the holder', async () => {
    const dir = tempDir();
    const first = await stationStore(dir);
    await expect(stationStore(dir)).rejects.toThrow(/is in use by a Plainview station \(pid \d+/);
    // Read-only inspection may run beside it.
    const { log } = testLog();
    const inspect = await openStore({ dataDir: dir, migrations, log, mode: 'inspect' });
    await inspect.store.close();
    await first.store.close();
    const again = await stationStore(dir);
    await again.store.close();
  });

  it('a lock left by a process that no longer runs is taken over', async () => {
    const dir = tempDir();
    fs.mkdirSync(dir, { recursive: true });
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: never a live process
    fs.writeFileSync(
      path.join(dir, 'plainview.lock'),
      JSON.stringify({ pid: dead, host: os.hostname(), purpose: 'x', since: 'then' }),
    );
    const { store } = await stationStore(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'plainview.lock'), 'utf8')).pid).toBe(process.pid);
    await store.close();
    expect(fs.existsSync(path.join(dir, 'plainview.lock'))).toBe(false);
  });

  it('a database that is busy, not damaged, stops start-up without being quarantined', async () => {
    const dir = tempDir();
    const { store } = await stationStore(dir);
    fillEveryTable(store.db);
    await store.backup('scheduled', 10);
    await store.close();
    // Another program holds the database exclusively (not a Plainview: no lock file).
    const holder = openConnection(path.join(dir, 'plainview.db'));
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      await expect(stationStore(dir)).rejects.toThrow(/Cannot open the database .*locked/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(fs.existsSync(path.join(dir, 'quarantine'))).toBe(false);
    const { store: again } = await stationStore(dir);
    expect(again.db.prepare('SELECT count(*) AS n FROM valves').get()).toEqual({ n: 1 });
    await again.close();
  }, 90_000);
});

describe('store: backups', () => {
  it('an online backup taken during writes opens and passes integrity_check; old ones are pruned', async () => {
    const dir = tempDir();
    const { store } = await stationStore(dir);
    fillEveryTable(store.db);
    const insert = store.db.prepare("INSERT INTO telemetry_samples VALUES ('p-1/pressure', ?, 2.0, 'good')");
    let ts = 1_900_000_000_000;
    const writer = setInterval(
      () =>
        store.db.transaction(() => {
          for (let i = 0; i < 500; i++) insert.run(ts++);
        })(),
      1,
    );
    const files: string[] = [];
    try {
      for (let i = 0; i < 4; i++) files.push(await store.backup('scheduled', 3));
    } finally {
      clearInterval(writer);
    }
    const kept = store.backups.list();
    expect(kept).toHaveLength(3);
    for (const b of kept) expect(integrityCheck(b.file)).toEqual(['ok']);
    expect(fs.existsSync(files[0]!)).toBe(false);
    await store.close();
  });
});

describe('write transactions beside another writer (the writer thread)', () => {
  it('a transaction that reads before it writes commits even when the other connection wanted to write in between', async () => {
    const dataDir = tempDir();
    const { store } = await openStore({
      dataDir,
      migrations,
      log: createLogger({ level: 'error', json: true, sinks: [] }),
      mode: 'station',
    });
    // The other connection gives up at once instead of waiting (it runs on this thread here).
    const other = new Database(store.file, { timeout: 0 });
    const otherWrite = other.prepare("INSERT INTO sites (id, name, created_at) VALUES ('west', 'West', '2026-12-05')");
    let otherRefused = false;
    store.sql.transaction(() => {
      store.db.prepare('SELECT count(*) FROM sites').get();
      // Deferred, this commit would land now and our write below fail at once (SQLITE_BUSY_SNAPSHOT).
      try {
        otherWrite.run();
      } catch {
        otherRefused = true;
      }
      store.db.prepare("INSERT INTO sites (id, name, created_at) VALUES ('east', 'East', '2026-12-05')").run();
    });
    expect(otherRefused).toBe(true);
    expect(store.db.prepare("SELECT name FROM sites WHERE id = 'east'").get()).toEqual({ name: 'East' });
    otherWrite.run();
    other.close();
    await store.close();
  });
});
