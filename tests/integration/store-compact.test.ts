import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { createLogger, memorySink } from '../../src/main/log';
import { integrityCheck, openStore } from '../../src/main/store';
import { cleanEnv, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

/*
 * An upgrade from schema 8 moves the telemetry rows into history files and leaves the database
 * the size they had: free pages every backup copies. The station gives them back at its next
 * start once they are most of the file; `plainview db compact` does it on demand.
 */

const MIB = 1024 * 1024;

/** Leaves `mib` MiB of free pages in the database, as a finished move of rows does. */
function freePages(file: string, mib: number): void {
  const db = new Database(file);
  db.exec('CREATE TABLE moved_away (data BLOB)');
  const insert = db.prepare('INSERT INTO moved_away VALUES (randomblob(?))');
  db.transaction(() => {
    for (let i = 0; i < mib * 4; i++) insert.run(256 * 1024);
  })();
  db.exec('DROP TABLE moved_away');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function start(dataDir: string) {
  const sink = memorySink();
  const log = createLogger({ level: 'info', json: true, sinks: [sink] });
  const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
  return { store, lines: sink.lines };
}

describe('compacting the database', () => {
  it('a station gives mostly-free pages back at start, keeping every row; a nearly full file is left alone', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    first.store.db.prepare("INSERT INTO sites (id, name, created_at) VALUES ('east', 'East', '2026-12-01')").run();
    const file = first.store.file;
    await first.store.close();
    freePages(file, 48);
    const before = fs.statSync(file).size;
    expect(before).toBeGreaterThan(48 * MIB);

    const second = await start(dataDir);
    const after = fs.statSync(file).size;
    expect(after).toBeLessThan(before / 8);
    const line = second.lines.find((l) => l.includes('database compacted'));
    expect(line, second.lines.join('\n')).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ before_bytes: before, after_bytes: after });
    expect(second.store.db.prepare("SELECT name FROM sites WHERE id = 'east'").get()).toEqual({ name: 'East' });
    await second.store.close();
    expect(integrityCheck(file)).toEqual(['ok']);

    // A few MiB free in a small file: not worth a rewrite at every start.
    freePages(file, 4);
    const third = await start(dataDir);
    expect(third.lines.filter((l) => l.includes('database compacted'))).toEqual([]);
    await third.store.close();
  });

  it('plainview db compact does it on demand, says what it gave back, and is audited; db status shows the free pages', () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const env = cleanEnv(dataDir);
    expect(runCli(['db', 'migrate'], env, dir).code).toBe(0);
    const file = path.join(dataDir, 'plainview.db');
    freePages(file, 40);
    const status = runCli(['db', 'status'], env, dir);
    expect(status.stdout).toMatch(/free pages: +4\d{7} bytes \(`plainview db compact` gives them back\)/);

    const r = runCli(['db', 'compact'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/compacted .*plainview\.db: 4\d\.\d MiB → 0\.\d MiB in \d+ ms/);
    expect(fs.statSync(file).size).toBeLessThan(2 * MIB);
    expect(runCli(['db', 'status'], env, dir).stdout).toMatch(/free pages: +\d{1,6} bytes\n/);
    const audit = runCli(['audit', 'export', '--format', 'jsonl'], env, dir).stdout;
    expect(audit).toContain('"action":"db.compact"');
  });
});
