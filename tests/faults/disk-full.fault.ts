import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import { startMosquitto } from '../helpers/brokers';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { snapshot } from './lib/db';
import { scale } from './lib/mode';
import { SamplePublisher } from './lib/publisher';
import { report } from './lib/report';
import { spawnStation, type StationProc } from './lib/station-proc';
import { Cleanups, fmt, sleep } from './lib/util';

/**
 * "Disk full" without root: the station process gets a file-size limit (RLIMIT_FSIZE, what
 * `ulimit -f` sets) just above its files' sizes, with `prlimit --pid`, so every write that
 * would grow the database or its WAL fails (EFBIG: SQLite's "disk I/O error"); raising the
 * limit again is the space coming back. A size-limited tmpfs would need root (mount).
 */
function fileSizeLimit(pid: number, bytes: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${bytes}:unlimited`]);
}

const FULL_FOR_MS = scale(6_000, 30_000);
const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const cleanups = new Cleanups();
afterAll(() => cleanups.run());

interface Status {
  health: { checks: { database: string }; details: { database: { status: string; reason?: string } } };
  link: { status: string };
  ingest: { written_samples: number; write_errors: number };
}
interface AlarmRow {
  id: string;
  state: string;
  message: string;
}

const status = async (p: StationProc) => (await p.call('system.status')).value as Status;
const alarmOf = async (p: StationProc, id: string) => {
  const r = await p.call('alarms.list');
  if (!r.ok) throw new Error(`alarms.list refused: ${r.refusal?.code} ${r.refusal?.message}`);
  return (r.value as AlarmRow[]).find((a) => a.id === id);
};
const storageAlarm = (p: StationProc) => alarmOf(p, 'storage-ws-1');

it('disk full: writes fail closed, an alarm, operators told, nothing partial, recovery by itself when space returns', async () => {
  const broker = await startMosquitto({
    extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 1000'],
  });
  const sim = new FieldSimulator({ brokerUrl: broker.url, site: 'north', log: quiet, demo: false, valves: 2, rate: 2 });
  await sim.start();
  cleanups.add(() => sim.stop());
  const dataDir = path.join(tempDir('plainview-fault-disk-'), 'data');
  const proc = spawnStation({
    PLAINVIEW_DATA_DIR: dataDir,
    PLAINVIEW_MQTT_URL: broker.url,
    PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
    PLAINVIEW_SITE_ID: 'north',
    PLAINVIEW_STATION_ID: 'ws-1',
    PLAINVIEW_LOG_LEVEL: 'info',
    PLAINVIEW_INCIDENT_MUTATIONS_PER_MINUTE: '100000',
    FAULT_LOG: 'stdout',
  });
  cleanups.add(() => proc.kill());
  await proc.ready;
  await waitFor(async () => (await status(proc)).link.status === 'online', 'online', 30_000);
  const pub = new SamplePublisher({ url: broker.url, rate: 300 });
  cleanups.add(() => pub.close());
  pub.start();
  const created = (await proc.call('incidents.create', { title: 'disk probe', severity: 'low' })).value as {
    id: string;
  };
  const incident = created.id;
  await waitFor(
    async () => ((await proc.call('valves.list')).value as { quality: string }[]).some((v) => v.quality === 'good'),
    'a fresh valve',
  );
  // The load is on before the disk fills: two seconds' worth of samples (at 300/s) in the store.
  await waitFor(async () => (await status(proc)).ingest.written_samples >= 600, 'samples written', 60_000, 250);

  // The disk fills up.
  const file = path.join(dataDir, 'plainview.db');
  const size = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0;
  fileSizeLimit(proc.pid, Math.max(size(file), size(`${file}-wal`)));
  const problems: string[] = [];
  // PipelineGuard raises a leak meanwhile: the operators see it now, it is journalled later.
  sim.raiseLeak('seg-01');
  const refusedNotes: string[] = [];
  const refusals = new Map<string, number>();
  let told = '';
  const until = Date.now() + FULL_FOR_MS;
  for (let i = 0; Date.now() < until; i++) {
    // Operators keep working: each change is refused in plain words, never half-stored.
    const tag = `during-full-${i}`;
    const r = await proc.call('incidents.note', { id: incident, text: tag });
    if (r.ok) {
      if (i > 3) problems.push(`a note was accepted while the disk was full (${tag})`);
    } else {
      refusals.set(r.refusal!.code, (refusals.get(r.refusal!.code) ?? 0) + 1);
      refusedNotes.push(tag);
      told = r.refusal!.message;
    }
    await sleep(200);
  }
  const during = await status(proc);
  const alarm = await storageAlarm(proc);
  const leak = await alarmOf(proc, 'leak-seg-01');
  if (leak?.state !== 'active_unacked') problems.push(`the leak raised while full: ${leak?.state ?? 'not shown'}`);
  if (during.health.details.database.status !== 'down')
    problems.push(`health database ${during.health.details.database.status}`);
  if (alarm?.state !== 'active_unacked') problems.push(`storage alarm ${alarm?.state ?? 'missing'}`);
  if (refusals.get('internal')) problems.push(`${refusals.get('internal')} refusals said only "internal"`);
  if (!refusals.get('unavailable')) problems.push('no change was refused as unavailable');
  // A valve command is refused too (its audit entry cannot be written first).
  const sel = (await proc.call('valves.list')).value as { id: string; state: string; quality: string }[];
  const valve = sel.find((v) => v.quality === 'good' && (v.state === 'open' || v.state === 'closed'));
  let commandAnswer = 'no fresh valve';
  if (valve) {
    const s = await proc.call('actuation.select', {
      valveId: valve.id,
      action: valve.state === 'open' ? 'close' : 'open',
    });
    if (s.ok) {
      const o = await proc.call('actuation.operate', { selectionId: (s.value as { id: string }).id });
      commandAnswer = o.ok ? 'SENT' : o.refusal!.code;
    } else commandAnswer = s.refusal!.code;
    if (commandAnswer === 'SENT' || commandAnswer === 'internal')
      problems.push(`a command while full: ${commandAnswer}`);
  }
  const writtenDuring = during.ingest.written_samples;

  // Space comes back: the station recovers by itself.
  const freedAt = Date.now();
  fileSizeLimit(proc.pid, 'unlimited');
  const soft = (what: string) => () => void problems.push(`not ${what} after the space returned`);
  await waitFor(
    async () => (await status(proc)).health.details.database.status === 'ok',
    'health ok',
    60_000,
    250,
  ).catch(soft('healthy'));
  const recoveredS = (Date.now() - freedAt) / 1000;
  await waitFor(
    async () => (await storageAlarm(proc))?.state === 'cleared_unacked',
    'the alarm cleared',
    30_000,
    250,
  ).catch(soft('cleared'));
  const after = await proc.call('incidents.note', { id: incident, text: 'after-space-returned' });
  if (!after.ok) problems.push('a note after the space returned was refused');
  await pub.stop();
  await waitFor(
    async () => (await status(proc)).ingest.written_samples >= writtenDuring + 100,
    'samples written again',
    30_000,
  ).catch(soft('writing samples'));
  // The storage alarm's raise (kept in memory while the disk was full) and clear are journalled
  // by the station's housekeeping once it takes writes; checked below.
  await waitFor(
    async () => {
      const journal = (await proc.call('alarms.journal', { id: 'storage-ws-1' })).value as { kind: string }[];
      return ['raise', 'clear'].every((k) => journal.some((e) => e.kind === k));
    },
    "the storage alarm's raise and clear journalled",
    30_000,
    250,
  ).catch(() => undefined);
  await proc.stop();

  const db = snapshot(dataDir);
  let lost: number[];
  let partial: number;
  let storedDuring: number;
  let journalled: number;
  let leakJournalled: number;
  try {
    if (!db.integrity) problems.push(`integrity_check: ${db.problems.slice(0, 3).join('; ')}`);
    lost = pub.missingFrom(db.dir);
    const notes = new Set(
      (db.db.prepare("SELECT note FROM incident_timeline WHERE kind = 'note'").all() as { note: string }[]).map(
        (r) => r.note,
      ),
    );
    storedDuring = refusedNotes.filter((t) => notes.has(t)).length;
    if (!notes.has('after-space-returned')) problems.push('the note after recovery is missing');
    // Every operator event whole: its outbox row, its applied id and its timeline entry together.
    partial = (
      db.db
        .prepare(
          `SELECT count(*) AS n FROM outbox o WHERE o.topic LIKE '%/events/ws-1' AND (
             NOT EXISTS (SELECT 1 FROM applied_events a WHERE a.id = o.id) OR
             NOT EXISTS (SELECT 1 FROM incident_timeline t WHERE t.id = o.id))`,
        )
        .get() as { n: number }
    ).n;
    journalled = (
      db.db.prepare("SELECT count(*) AS n FROM alarm_journal WHERE alarm_id = 'storage-ws-1'").get() as { n: number }
    ).n;
    leakJournalled = (
      db.db.prepare("SELECT count(*) AS n FROM alarm_journal WHERE alarm_id = 'leak-seg-01'").get() as { n: number }
    ).n;
  } finally {
    db.close();
  }
  if (storedDuring) problems.push(`${storedDuring} refused notes are in the database`);
  if (partial) problems.push(`${partial} operator events stored in part`);
  if (journalled < 2) problems.push(`the storage alarm's raise and clear not journalled (${journalled})`);
  if (leakJournalled < 1) problems.push('the leak raised while full was never journalled');

  const ok = problems.length === 0 && lost.length === 0;
  report(
    5,
    'disk-full',
    `disk full (file-size limit via prlimit, ${FULL_FOR_MS / 1000} s): ${refusals.get('unavailable') ?? 0} operator changes ` +
      `refused as unavailable ("${told.slice(0, 60)}…"), command ${commandAnswer}, alarm ${alarm?.state ?? 'missing'}, ` +
      `health ${during.health.details.database.status}, ${storedDuring} refused changes stored, ${partial} partial events, ` +
      `recovered by itself ${recoveredS.toFixed(1)} s after space returned, ${lost.length} of ${fmt(pub.acked.size)} ` +
      `acknowledged samples lost, integrity ${db.integrity ? 'ok' : 'FAILED'}`,
    ok,
  );
  if (!ok) process.stdout.write(proc.output().slice(-4000));
  expect(problems).toEqual([]);
  expect(lost.slice(0, 20)).toEqual([]);
}, 300_000);
