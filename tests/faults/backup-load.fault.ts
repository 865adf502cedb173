import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { testStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';
import { integrityOf } from './lib/db';
import { scale } from './lib/mode';
import { SamplePublisher } from './lib/publisher';
import { report } from './lib/report';
import { Cleanups, fmt, sleep } from './lib/util';

const LOAD_MS = scale(20_000, 90_000);
const RATE = scale(2000, 4000);
/** Every backup is kept until it has been checked (the station keeps 10). */
const KEEP_ALL = 100_000;
/** The WAL may grow while a backup reads, but never without bound. */
const WAL_LIMIT = 64 * 1024 * 1024;
const cleanups = new Cleanups();
afterAll(() => cleanups.run());

it('backup under write load: each backup opens and passes integrity_check, the WAL stays bounded', async () => {
  const broker = await startMosquitto({
    extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 1000'],
  });
  const t = testStation({
    PLAINVIEW_MQTT_URL: broker.url,
    PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
    PLAINVIEW_LOG_LEVEL: 'info',
    PLAINVIEW_INCIDENT_MUTATIONS_PER_MINUTE: '1000000',
  });
  await t.station.start();
  cleanups.add(() => t.station.stop());
  const { store } = t.station.running();
  await waitFor(() => t.station.running().field.link.online, 'online', 30_000);
  const pub = new SamplePublisher({ url: broker.url, rate: RATE, points: 200 });
  cleanups.add(() => pub.close());
  pub.start();
  // Operators' changes at the same time, on the main thread's connection.
  const h = t.station.handlers;
  const ctx = { requestId: 'fault', senderUrl: 'app://plainview/' };
  const made = await h['incidents.create']({ title: 'backup load', severity: 'low' } as never, ctx);
  if (!made.ok) throw new Error(`incident refused: ${made.refusal.message}`);
  let notes = 0;
  let writing = true;
  const noting = (async () => {
    while (writing) {
      await h['incidents.note']({ id: made.value.id, text: `n ${notes++}` }, ctx);
      await sleep(20);
    }
  })();
  let walMax = 0;
  const wal = `${store.file}-wal`;
  const sampler = setInterval(() => {
    walMax = Math.max(walMax, fs.statSync(wal, { throwIfNoEntry: false })?.size ?? 0);
  }, 100);
  cleanups.add(() => clearInterval(sampler));

  const problems: string[] = [];
  const backups: { file: string; ms: number }[] = [];
  const until = Date.now() + LOAD_MS;
  // The load is on before the first backup: a second's worth of samples in the store, and notes.
  const { counters } = t.station.running().field;
  await waitFor(() => counters.written >= RATE && notes >= 20, 'the write load under way', 60_000);
  // Backups for LOAD_MS, and at least two whatever this machine's speed.
  while (Date.now() < until || backups.length < 2) {
    const started = Date.now();
    const file = await Promise.race([store.backup('manual', KEEP_ALL), sleep(120_000).then(() => null)]);
    if (!file) {
      problems.push('a backup did not finish within 120 s under load');
      break;
    }
    backups.push({ file, ms: Date.now() - started });
    await sleep(500);
  }
  writing = false;
  await noting;
  await pub.stop();
  clearInterval(sampler);

  let good = 0;
  let rows = 0;
  for (const b of backups) {
    const result = integrityOf(b.file);
    if (result.join() === 'ok') good++;
    else problems.push(`${b.file}: ${result.slice(0, 3).join('; ')}`);
    const db = new Database(b.file, { readonly: true });
    rows = Math.max(rows, (db.prepare('SELECT count(*) AS n FROM incident_timeline').get() as { n: number }).n);
    if (db.pragma('user_version', { simple: true }) !== store.schemaVersion) problems.push(`${b.file}: wrong version`);
    db.close();
    fs.rmSync(b.file);
  }
  if (walMax > WAL_LIMIT) problems.push(`the WAL grew to ${walMax} bytes`);
  if (backups.length < 2) problems.push(`only ${backups.length} backups finished`);
  const slowest = Math.max(...backups.map((b) => b.ms));
  report(
    7,
    'backup-load',
    `backup under load (${fmt(RATE)} samples/s and ${notes} operator notes in ${LOAD_MS / 1000} s): ` +
      `${good}/${backups.length} backups open and pass integrity_check (slowest ${(slowest / 1000).toFixed(1)} s, ` +
      `up to ${fmt(rows)} operator notes), WAL at most ${(walMax / 1024 / 1024).toFixed(1)} MiB (limit ${WAL_LIMIT / 1024 / 1024} MiB)`,
    problems.length === 0,
  );
  expect(problems).toEqual([]);
}, 600_000);
