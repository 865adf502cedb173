import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { rowHash, type StoredRow } from '../../src/main/audit/chain';
import mqtt from 'mqtt';
import { startAedes } from '../helpers/brokers';
import { cleanEnv, runCli, startCli } from '../helpers/cli';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

/*
 * The audit log as evidence: whoever has the database file can drop the append-only trigger,
 * edit a row and put the trigger back (SQLite's integrity check still says ok). The hash
 * chain must name the row; a rewrite of the chain itself (every later hash recomputed) must
 * be caught against a head published before it.
 */

/** A data folder whose audit log has five rows, made by the CLI as IT would: the migration, three keys, a revoke. */
function logWithRows(): { dir: string; data: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const env = cleanEnv(data);
  expect(runCli(['db', 'migrate'], env, dir).code).toBe(0);
  for (const name of ['historian', 'reports', 'scada'])
    expect(runCli(['keys', 'create', '--name', name, '--scope', 'read'], env, dir).code).toBe(0);
  expect(runCli(['keys', 'revoke', 'reports'], env, dir).code).toBe(0);
  return { dir, data, env };
}

/** What an attacker with the file does: lift the trigger, change rows, put it back. */
function tamper(data: string, change: (db: Database.Database) => void): void {
  const db = new Database(path.join(data, 'plainview.db'));
  const trigger = (
    db.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_log_no_update'").get() as { sql: string }
  ).sql;
  db.exec('DROP TRIGGER audit_log_no_update');
  change(db);
  db.exec(trigger);
  db.close();
}

function verify(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) {
  return runCli(['audit', 'verify', ...args], env, cwd);
}

/** `audit verify --broker`, run without blocking this process (the test's broker lives in it). */
async function verifyBeside(env: NodeJS.ProcessEnv, cwd: string) {
  const run = startCli(['audit', 'verify', '--broker'], env, cwd);
  const { code } = await run.exited;
  return { code, output: run.output() };
}

function headOf(stdout: string): string {
  const m = /head (\d+:[0-9a-f]{64})/.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return m![1]!;
}

describe('the audit log is a hash chain', () => {
  it('verifies as written, and names the row edited behind the trigger while db check still says ok', () => {
    const { dir, data, env } = logWithRows();
    const ok = verify(env, dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/audit log: ok, 5 rows, head 5:[0-9a-f]{64}/);

    tamper(data, (db) => db.exec("UPDATE audit_log SET actor = 'os:mallory' WHERE id = 2"));
    expect(runCli(['db', 'check'], env, dir).code).toBe(0);
    const broken = verify(env, dir);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('BROKEN at row 2');
    expect(broken.stderr).toContain('api_key.create');
  });

  it('a row deleted from the middle is named by the gap it leaves', () => {
    const { dir, data, env } = logWithRows();
    tamper(data, (db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.exec('DELETE FROM audit_log WHERE id = 3');
    });
    const r = verify(env, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('BROKEN at row 4');
    expect(r.stderr).toContain('rows 3 to 3 are missing');
  });

  it('a chain rewritten from an edited row on verifies alone, but not against a head published before', () => {
    const { dir, data, env } = logWithRows();
    const published = headOf(verify(env, dir).stdout);
    // Forge the last row (5: the revoke) and recompute its hash: the chain is whole again.
    tamper(data, (db) => {
      db.exec("UPDATE audit_log SET subject = 'nothing happened' WHERE id = 5");
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as StoredRow[];
      db.prepare('UPDATE audit_log SET hash = ? WHERE id = 5').run(rowHash(rows[3]!.hash!, rows[4]!));
    });
    expect(verify(env, dir).code).toBe(0);
    const against = verify(env, dir, '--head', published);
    expect(against.code).toBe(1);
    expect(against.stderr).toContain('does not hold the head given: row 5 has another hash');
    // A log cut short no longer holds the head either.
    tamper(data, (db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.exec('DELETE FROM audit_log WHERE id = 5');
    });
    expect(verify(env, dir).code).toBe(0);
    expect(verify(env, dir, '--head', published).stderr).toContain('ends at row 4');
  });

  it('the station finds a broken chain at start: a high alarm for the operators, the log and the audit say so', async () => {
    const { data } = logWithRows();
    tamper(data, (db) => db.exec("UPDATE audit_log SET result = 'refused' WHERE id = 1"));
    const t = testStation({}, data);
    const running = await t.station.start();
    try {
      const alarm = running.alarms.get('audit-chain-ws-1');
      expect(alarm?.priority).toBe('high');
      expect(alarm?.message).toContain('row 1');
      expect(alarm?.state).toBe('cleared_unacked');
      expect(t.lines.some((l) => l.includes('AUDIT LOG CHAIN BROKEN'))).toBe(true);
      expect(running.audit.list({ action: 'audit.chain_broken' })).toHaveLength(1);
    } finally {
      await t.station.stop();
    }
  });

  it('a database from before the chain gets one at migration, and a rollback takes it away', () => {
    const { dir, data, env } = logWithRows();
    expect(runCli(['db', 'rollback', '--to', '7'], env, dir).code).toBe(0);
    const db = new Database(path.join(data, 'plainview.db'), { readonly: true });
    const columns = (db.prepare('PRAGMA table_info(audit_log)').all() as { name: string }[]).map((c) => c.name);
    db.close();
    expect(columns).not.toContain('hash');
    expect(runCli(['db', 'migrate'], env, dir).code).toBe(0);
    const r = verify(env, dir);
    expect(r.code, r.stderr).toBe(0);
    // The rollback and migration were audited too, so the chain holds more than the four rows.
    expect(r.stdout).toMatch(/audit log: ok, \d+ rows/);
  });

  it('the head a station published on the broker catches a log rewritten after it, hashes and all', async () => {
    const broker = await startAedes();
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const env = cleanEnv(data, {
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_SITE_ID: 'north',
      PLAINVIEW_STATION_ID: 'cr-1',
    });
    const heads: { seq: number; hash: string }[] = [];
    const watcher = await mqtt.connectAsync(broker.url);
    watcher.on('message', (_t, payload) => heads.push(JSON.parse(payload.toString()) as { seq: number; hash: string }));
    await watcher.subscribeAsync('plainview/v2/north/stations/cr-1/audit-head');
    try {
      const station = startCli(['station'], env, dir);
      await station.waitFor('station ready', 60_000);
      // The station's start is in its log, and its head reaches the broker (retained).
      await waitFor(() => heads.some((h) => h.seq >= 1), 'the audit head on the broker');
      station.child.kill('SIGTERM');
      expect((await station.exited).code).toBe(0);

      const ok = await verifyBeside(env, dir);
      expect(ok.code, ok.output).toBe(0);
      expect(ok.output).toMatch(/the broker holds head \d+:[0-9a-f]{64} for station cr-1/);

      // Rewrite every row from the published head on, hashes recomputed: whole again by itself.
      const published = heads.at(-1)!;
      tamper(data, (db) => {
        db.prepare("UPDATE audit_log SET actor = 'os:mallory' WHERE id = ?").run(published.seq);
        const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as StoredRow[];
        const set = db.prepare('UPDATE audit_log SET hash = ? WHERE id = ?');
        for (let i = published.seq - 1; i < rows.length; i++) {
          rows[i]!.hash = rowHash(i === 0 ? '0'.repeat(64) : rows[i - 1]!.hash!, rows[i]!);
          set.run(rows[i]!.hash, rows[i]!.id);
        }
      });
      expect(verify(env, dir).code).toBe(0);
      const caught = await verifyBeside(env, dir);
      expect(caught.code).toBe(1);
      expect(caught.output).toContain(`row ${published.seq} has another hash`);
    } finally {
      await watcher.endAsync();
      await broker.stop();
    }
  }, 120_000);
});
