import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { startAedes, type TestBroker } from '../helpers/brokers';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { integrityOf } from './lib/db';
import { FULL } from './lib/mode';
import { report } from './lib/report';
import { Cleanups } from './lib/util';

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

type Damage = (file: string, pageOf: (table: string) => number) => void;

const PAGE = 4096;
/** Ways a database file gets damaged between two runs (a bad disk, a bad copy, a crash of the OS). */
const DAMAGES: Record<string, Damage> = {
  'header overwritten': (file) => {
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('this is not a database header at all'), 0, 36, 0);
    fs.closeSync(fd);
  },
  'file truncated to half': (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2 / PAGE) * PAGE),
  // A page the start-up check does not read: the incident timeline's root page, zeroed.
  'a table page zeroed': (file, pageOf) => {
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(PAGE), 0, PAGE, (pageOf('incident_timeline') - 1) * PAGE);
    fs.closeSync(fd);
  },
  'an index page garbled': (file, pageOf) => {
    const fd = fs.openSync(file, 'r+');
    const junk = Buffer.alloc(PAGE, 0x5a);
    fs.writeSync(fd, junk, 0, PAGE, (pageOf('incident_timeline_incident') - 1) * PAGE);
    fs.closeSync(fd);
  },
  ...(FULL
    ? {
        'random bytes across the file': (file: string) => {
          const size = fs.statSync(file).size;
          const fd = fs.openSync(file, 'r+');
          for (let i = 0; i < 64; i++) {
            const at = PAGE + Math.floor(Math.random() * (size - PAGE - 64));
            fs.writeSync(fd, Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))), 0, 64, at);
          }
          fs.closeSync(fd);
        },
      }
    : {}),
};

async function station(broker: TestBroker, dataDir: string) {
  const t = testStation(
    { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '4', PLAINVIEW_LOG_LEVEL: 'info' },
    dataDir,
  );
  await t.station.start();
  return t;
}

const call = { requestId: 'fault', senderUrl: 'app://plainview/' };

it('database corrupted between runs: quarantined, the last good backup restored, operators told what may be missing', async () => {
  const broker = await startAedes();
  const lines: string[] = [];
  const problems: string[] = [];
  for (const [name, damage] of Object.entries(DAMAGES)) {
    const dataDir = path.join(tempDir('plainview-fault-corrupt-'), 'data');
    // A first run: work, a backup, more work after it, a clean stop.
    const first = await station(broker, dataDir);
    const h = first.station.handlers;
    const made = await h['incidents.create']({ title: 'before the backup', severity: 'low' } as never, call);
    const incident = made.ok ? made.value.id : '';
    await waitFor(() => first.station.running().store.lastBackupAt, 'the first backup');
    const backupFile = await first.station.running().store.backup('manual', 10);
    const backupAt = first.station.running().store.lastBackupAt!;
    for (let i = 0; i < 30; i++) await h['incidents.note']({ id: incident, text: `after the backup ${i}` }, call);
    await first.station.stop();
    const file = path.join(dataDir, 'plainview.db');
    const roots = new Database(file, { readonly: true });
    const pages = new Map(
      (roots.prepare('SELECT name, rootpage FROM sqlite_master').all() as { name: string; rootpage: number }[]).map(
        (r) => [r.name, r.rootpage],
      ),
    );
    roots.close();
    damage(file, (table) => pages.get(table)!);

    // The next run: quarantined, restored, told.
    const second = testStation(
      { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '4', PLAINVIEW_LOG_LEVEL: 'info' },
      dataDir,
    );
    let started = true;
    try {
      await second.station.start();
    } catch (err) {
      started = false;
      problems.push(`${name}: the station did not start: ${(err as Error).message}`);
    }
    if (!started) {
      lines.push(`${name}: did not start`);
      continue;
    }
    const r = second.station.running();
    const quarantined = fs.existsSync(path.join(dataDir, 'quarantine'))
      ? fs.readdirSync(path.join(dataDir, 'quarantine')).filter((f) => f.endsWith('.db'))
      : [];
    const alarm = r.alarms.list().find((a) => a.source === 'station:database');
    const restoredFrom = r.recovery?.restoredFrom.file;
    const audited = r.audit.list({}).some((e) => e.action === 'store.restored');
    // The station still works on the restored file, and the damaged one is kept.
    const after = await (async () =>
      second.station.handlers['incidents.note']({ id: incident, text: 'after the restore' }, call))().catch(
      (e: Error) => e,
    );
    const works = !(after instanceof Error) && (after as { ok: boolean }).ok;
    await second.station.stop();
    const integrity = integrityOf(file);
    const told = alarm && /restored/i.test(alarm.message) && alarm.message.includes(backupAt.toISOString());
    if (!r.recovery) problems.push(`${name}: not detected (no recovery)`);
    if (quarantined.length !== 1) problems.push(`${name}: ${quarantined.length} files in quarantine`);
    if (restoredFrom !== backupFile) problems.push(`${name}: restored from ${restoredFrom ?? 'nothing'}`);
    if (!told) problems.push(`${name}: operators not told what may be missing (${alarm?.message ?? 'no alarm'})`);
    if (!audited) problems.push(`${name}: the restore is not in the audit log`);
    if (!works) problems.push(`${name}: the station does not work after the restore`);
    if (integrity.join() !== 'ok') problems.push(`${name}: integrity after restore: ${integrity.join('; ')}`);
    lines.push(
      `${name}: ${r.recovery ? 'quarantined, restored' : 'NOT DETECTED'}${told ? ', alarm names the missing period' : ''}`,
    );
  }

  // Not damage: a crash in the middle of a checkpoint (page 1, with the new page count, written;
  // the file not yet extended; every page still in the WAL). Nothing may be restored over it.
  let crashMidCheckpoint: string;
  {
    const dataDir = path.join(tempDir('plainview-fault-corrupt-'), 'data');
    const first = await station(broker, dataDir);
    await waitFor(() => first.station.running().store.lastBackupAt, 'the first backup');
    await first.station.stop();
    const file = path.join(dataDir, 'plainview.db');
    const db = new Database(file);
    db.pragma('wal_autocheckpoint = 0');
    const add = db.prepare('INSERT INTO applied_events (id, applied_at) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) add.run(`after-crash-${i}`, new Date().toISOString());
    })();
    const crash = { db: fs.readFileSync(file), wal: fs.readFileSync(`${file}-wal`) };
    db.close();
    fs.writeFileSync(file, crash.db);
    fs.writeFileSync(`${file}-wal`, crash.wal);
    fs.rmSync(`${file}-shm`, { force: true });
    const pageSize = crash.wal.readUInt32BE(8);
    let page1 = -1;
    for (let at = 32; at + 24 + pageSize <= crash.wal.length; at += 24 + pageSize)
      if (crash.wal.readUInt32BE(at) === 1) page1 = at + 24;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, crash.wal, page1, pageSize, 0);
    fs.closeSync(fd);
    const again = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '4' }, dataDir);
    await again.station.start();
    const kept = (
      again.station
        .running()
        .store.db.prepare("SELECT count(*) AS n FROM applied_events WHERE id LIKE 'after-crash-%'")
        .get() as { n: number }
    ).n;
    const restored = again.station.running().recovery !== undefined;
    await again.station.stop();
    if (restored) problems.push('a crash in the middle of a checkpoint was taken for damage and restored from backup');
    if (kept !== 5000) problems.push(`after a crash in the middle of a checkpoint ${kept} of 5000 rows are left`);
    crashMidCheckpoint = restored ? 'RESTORED OVER' : `opened as it was, ${kept}/5000 rows kept`;
  }

  // No good backup at all: the station refuses to start and leaves the damaged file in place.
  const dataDir = path.join(tempDir('plainview-fault-corrupt-'), 'data');
  const first = await station(broker, dataDir);
  await waitFor(() => first.station.running().store.lastBackupAt, 'the first backup');
  await first.station.stop();
  const backups = path.join(dataDir, 'backups');
  // The database's backups (backups/history holds copies of history files).
  for (const f of fs.readdirSync(backups).filter((n) => n.endsWith('.db')))
    DAMAGES['header overwritten']!(path.join(backups, f), () => 1);
  DAMAGES['header overwritten']!(path.join(dataDir, 'plainview.db'), () => 1);
  const refused = testStation({ PLAINVIEW_MQTT_URL: broker.url }, dataDir);
  const refusal = await refused.station.start().then(
    () => null,
    (e: Error & { exitCode?: number }) => e,
  );
  if (refusal === null) {
    await refused.station.stop();
    problems.push('with no good backup the station started anyway');
  } else if (refusal.exitCode !== 3 || !fs.existsSync(path.join(dataDir, 'plainview.db')))
    problems.push(
      `with no good backup: exit ${refusal.exitCode}, file kept ${fs.existsSync(path.join(dataDir, 'plainview.db'))}`,
    );

  report(
    6,
    'corruption',
    `database corrupted between runs ×${Object.keys(DAMAGES).length} (${lines.join('; ')}); ` +
      `a crash in the middle of a checkpoint (not damage): ${crashMidCheckpoint}; ` +
      `no good backup: ${refusal ? `refused to start (exit ${(refusal as { exitCode?: number }).exitCode}), damaged file kept` : 'STARTED'}`,
    problems.length === 0,
  );
  expect(problems).toEqual([]);
}, 300_000);
