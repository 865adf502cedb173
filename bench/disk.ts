/**
 * Disk (issue 20): bytes a sample takes in the history files, for the simulator's process
 * signals as the field sends them and for random doubles at random intervals
 * (bench/lib/field-day.ts), each through the real station path: a publisher process sends a
 * day of them (6 hours quick) over mosquitto at QoS 1 as fast as the station takes them, and
 * the station's clock follows the samples it has written (the time of the last one), so its
 * sweeps write out blocks as they would live, a window after it ends, and finish the day an
 * hour after midnight. Then: the day's samples file in bytes ÷ samples, every value read back
 * (src/main/history/reader.ts) and compared with the JSON number sent; what the minute and
 * hour rollups add, apart. Baseline, in the same run: the same samples as rows of schema v8's
 * `telemetry_samples`, committed 20,000 at a time as its writer thread did.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dayOf, endOf, historyFile } from '../src/main/history/layout';
import { HistoryReader } from '../src/main/history/reader';
import { FINISH_AFTER_MS } from '../src/main/history/writer';
import { startMosquitto, type TestBroker } from '../tests/helpers/broker-procs';
import type { Bench, BenchOptions } from './lib/bench';
import { fieldPoints, fieldSamples, SIM_RATE, type FieldKind } from './lib/field-day';
import type { FieldDaySetup } from './lib/field-day-publisher';
import { fileBytes, samplesFileStats, type SamplesFileStats } from './lib/history-files';
import { PublisherProcess } from './lib/publisher-process';
import type { Figure } from './lib/report';
import { spread } from './lib/stats';
import { SITE, startStation, waitUntil } from './lib/stations';

const HOUR = 3_600_000;
/** Bytes a sample took in the operational database before (v8 rows, rollups and indexes; bench/memory.ts, 2026-11-26). */
const ROWS_BEFORE = { bytes: 36, samples: 4_001_473, mb: 142.8 };
/** Facebook's Gorilla on its real metrics (Pelkonen et al., VLDB 2015): 1.37 bytes a sample. */
const GORILLA = 1.37;
const LIMIT: Record<FieldKind, number> = { process: 4, random: 12 };
/** Schema v8's samples table (migrations/0001-initial.ts), for the baseline. */
const V8_SAMPLES = `CREATE TABLE telemetry_samples (
  point_id TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
  quality TEXT NOT NULL CHECK (quality IN ('good','uncertain','stale','bad')),
  PRIMARY KEY (point_id, ts)) WITHOUT ROWID`;
/** The page size the disk figure is also given for (SQLite's default is 4 KiB). */
const PROBE_PAGE = 8_192;
/** How many samples v8's writer thread committed at once. */
const V8_BATCH = 20_000;

/** The samples to send, as the station should store them: per point, in time order; and every time in sending order. */
interface Expected {
  times: Float64Array;
  byPoint: { ts: number[]; values: number[] }[];
}

function expected(kind: FieldKind, from: number, to: number): Expected {
  const byPoint = fieldPoints().map(() => ({ ts: [] as number[], values: [] as number[] }));
  const times: number[] = [];
  for (const s of fieldSamples(kind, from, to)) {
    times.push(s.ts);
    byPoint[s.point]!.ts.push(s.ts);
    // What the station receives: the JSON number the field wrote.
    byPoint[s.point]!.values.push(JSON.parse(s.value) as number);
  }
  return { times: Float64Array.from(times), byPoint };
}

interface Day {
  samples: number;
  sent: number;
  seconds: number;
  file: SamplesFileStats;
  minutes: number;
  hours: number;
  /** Values read back that differ from the JSON number sent (or missing, or extra). */
  mismatches: number;
  duplicates: number;
  v8Bytes: number;
  /** The same blocks in a file of larger pages (what page slack costs at SQLite's default 4 KiB). */
  largerPages: { pageSize: number; bytes: number };
}

/** A day of `kind` through a real station on a folder of its own; its files weighed and read back. */
async function dayThrough(
  kind: FieldKind,
  from: number,
  to: number,
  broker: TestBroker,
  work: string,
  log: (l: string) => void,
): Promise<Day> {
  const want = expected(kind, from, to);
  const dataDir = path.join(work, kind);
  fs.mkdirSync(dataDir);
  let clock = from;
  const st = await startStation(
    {
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
      PLAINVIEW_BACKUP_INTERVAL_HOURS: '1000000',
    },
    { dataDir, deps: { now: () => new Date(clock) } },
  );
  const { field, telemetry } = st.running;
  telemetry.retention.stop();
  const setup: FieldDaySetup = { url: broker.url, site: SITE, kind, from, to };
  const pub = await PublisherProcess.start('field-day-publisher.ts', setup);
  let sent = 0;
  let seconds: number;
  try {
    const points = fieldPoints().length;
    await waitUntil(
      () => field.link.online && (field.counters.accepted.get('point_meta') ?? 0) >= points,
      'the field points',
      60_000,
      20,
    );
    const c = field.counters;
    const stored = () => c.written + c.duplicates + c.tooOld + c.dropped;
    const stored0 = stored();
    const written0 = c.written;
    // The station's clock is the time of the last sample it wrote (samples arrive in order),
    // and it writes out blocks every minute of that time, as its 10-second sweep does live.
    let sweptAt = from;
    let sweeping: Promise<void> | null = null;
    const follow = setInterval(() => {
      const k = c.written - written0;
      if (k > 0) clock = Math.max(clock, want.times[Math.min(k, want.times.length) - 1]!);
      if (!sweeping && clock - sweptAt >= 60_000) {
        sweptAt = clock;
        sweeping = telemetry.sweep().finally(() => (sweeping = null));
      }
    }, 10);
    const t0 = performance.now();
    try {
      // In parts: each answer comes well within the publisher's time limit on a slow machine.
      for (let over = false; !over;) {
        const part = await pub.ask<{ sent: number; over: boolean }>({ cmd: 'go', count: 200_000 });
        sent += part.sent;
        over = part.over;
      }
      await waitUntil(() => stored() - stored0 >= sent, `${sent} samples stored`, 300_000, 20);
    } finally {
      clearInterval(follow);
      await sweeping;
    }
    seconds = (performance.now() - t0) / 1000;
    // The day is over: its last blocks written out, then the day finished (its WAL folded in).
    clock = endOf(dayOf(from)) + FINISH_AFTER_MS + 60_000;
    await telemetry.sweep();
    log(
      `  ${kind}: ${sent.toLocaleString('en-US')} samples sent, stored in ${seconds.toFixed(1)} s ` +
        `(${Math.round(sent / seconds).toLocaleString('en-US')}/s); duplicates ${c.duplicates}, too old ${c.tooOld}, dropped ${c.dropped}`,
    );
  } finally {
    await pub.stop();
    await st.stop();
  }
  const historyDir = path.join(dataDir, 'history');
  const day = dayOf(from);
  const samplesFile = historyFile(historyDir, 'samples', day);
  const file = samplesFileStats(samplesFile);
  const mismatches = readBack(historyDir, want, from, to);
  const v8Bytes = v8Rows(path.join(work, `${kind}-v8.db`), kind, from, to);
  return {
    samples: file.samples,
    sent,
    seconds,
    file,
    minutes: fileBytes(historyFile(historyDir, 'minutes', day)),
    hours: fileBytes(historyFile(historyDir, 'hours', day.slice(0, 7))),
    mismatches,
    duplicates: st.running.field.counters.duplicates,
    v8Bytes,
    largerPages: {
      pageSize: PROBE_PAGE,
      bytes: blocksWithPages(samplesFile, path.join(work, `${kind}-pages.db`), PROBE_PAGE),
    },
  };
}

/**
 * The blocks of a samples file copied, in order, into a new file of `pageSize` pages with the
 * same table and index: the file's bytes. A block is written whole into one row; a row of a
 * few kilobytes leaves much of a 4 KiB page unused.
 */
function blocksWithPages(source: string, file: string, pageSize: number): number {
  const db = new Database(file);
  try {
    db.pragma(`page_size = ${pageSize}`);
    db.prepare('ATTACH ? AS source').run(source);
    db.exec(`CREATE TABLE blocks (seq INTEGER PRIMARY KEY, point INTEGER NOT NULL, t0 INTEGER NOT NULL,
        t1 INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
      CREATE INDEX blocks_by_point ON blocks (point, t0);
      INSERT INTO blocks SELECT seq, point, t0, t1, n, data FROM source.blocks ORDER BY seq;`);
  } finally {
    db.close();
  }
  return fileBytes(file);
}

/** Every point's samples read back through the station's reader, against what was sent: how many differ. */
function readBack(historyDir: string, want: Expected, from: number, to: number): number {
  const reader = new HistoryReader(historyDir);
  let bad = 0;
  try {
    fieldPoints().forEach((p, i) => {
      const got = reader.samples(p.id, from, to);
      const w = want.byPoint[i]!;
      bad += Math.abs(got.ts.length - w.ts.length);
      for (let k = 0; k < Math.min(got.ts.length, w.ts.length); k++)
        if (got.ts[k] !== w.ts[k] || !Object.is(got.values[k], w.values[k])) bad++;
    });
  } finally {
    reader.close();
  }
  return bad;
}

/** The same samples as v8 rows (WAL, synchronous=FULL, committed 20,000 at a time): the file's bytes. */
function v8Rows(file: string, kind: FieldKind, from: number, to: number): number {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(V8_SAMPLES);
    const insert = db.prepare("INSERT INTO telemetry_samples VALUES (?, ?, ?, 'good')");
    const names = fieldPoints().map((p) => p.id);
    let batch: [string, number, number][] = [];
    const commit = db.transaction((rows: [string, number, number][]) => {
      for (const r of rows) insert.run(r);
    });
    for (const s of fieldSamples(kind, from, to)) {
      batch.push([names[s.point]!, s.ts, JSON.parse(s.value) as number]);
      if (batch.length < V8_BATCH) continue;
      commit(batch);
      batch = [];
    }
    commit(batch);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return fileBytes(file);
}

function figure(kind: FieldKind, hours: number, d: Day): Figure {
  const perSample = (bytes: number) => bytes / Math.max(1, d.samples);
  const b = perSample(d.file.bytes);
  const v8 = perSample(d.v8Bytes);
  const limit = LIMIT[kind];
  const lost = d.sent - d.samples - d.duplicates;
  const what =
    kind === 'process'
      ? `the simulator's process signals (${hours} h of \`plainview sim\` defaults: 32 points, ${SIM_RATE} samples/s)`
      : `random doubles at random intervals (${hours} h, 32 points, ${SIM_RATE} samples/s on average)`;
  const f = (x: number) => x.toFixed(2);
  return {
    id: `disk.${kind}`,
    what: `Disk: bytes per sample, ${what}`,
    unit: 'B',
    station: spread([b]),
    baseline: { ...spread([v8]), what: "the same samples as schema v8's rows (telemetry_samples alone)" },
    ratio: b / v8,
    target: `≤ ${limit} B`,
    met: b <= limit && d.mismatches === 0 && lost === 0,
    note:
      `One run (the samples are generated from fixed seeds: every run sends the same). The day's samples file ` +
      `${(d.file.bytes / 2 ** 20).toFixed(2)} MiB for ${d.samples.toLocaleString('en-US')} samples of ` +
      `${d.sent.toLocaleString('en-US')} sent (${lost} lost, ${d.duplicates} duplicates; sent and stored in ${d.seconds.toFixed(0)} s): ` +
      `${f(perSample(d.file.blockBytes))} B a sample in the ${d.file.blocks.toLocaleString('en-US')} blocks' packed data, ` +
      `${f(perSample(d.file.freeBytes))} B in pages left free by the journal, ${f(b - perSample(d.file.blockBytes) - perSample(d.file.freeBytes))} B ` +
      `of rows, index and page slack (the same blocks alone, no journal, in a file of ${d.largerPages.pageSize / 1024} KiB pages: ` +
      `${f(perSample(d.largerPages.bytes))} B a sample in all). Read back through the station's reader: ${d.mismatches} values differ from the JSON number sent. ` +
      `Rollups add ${f(perSample(d.minutes))} B a sample (minutes) and ${f(perSample(d.hours))} B (hours) at this rate ` +
      `(a row per point per minute and per hour, whatever the rate). Before (schema v8): ${ROWS_BEFORE.bytes} B a sample with ` +
      `rollups and indexes (${ROWS_BEFORE.samples.toLocaleString('en-US')} samples in ${ROWS_BEFORE.mb} MB, bench/memory.ts, 2026-11-26); ` +
      `Gorilla's published figure: ${GORILLA} B a sample (Pelkonen et al., VLDB 2015, on Facebook's metrics).` +
      (b <= limit ? '' : ` ${why(d, limit)}`),
  };
}

/** Why a disk target is missed, from the file's own accounting in this run. */
function why(d: Day, limit: number): string {
  const perBlock = d.file.blockBytes / Math.max(1, d.file.blocks);
  const slack = (d.file.bytes - d.file.blockBytes - d.file.freeBytes) / Math.max(1, d.samples);
  // As the day's file would be with larger pages: the same blocks, and the journal's free pages as they were.
  const larger = (d.largerPages.bytes + d.file.freeBytes) / Math.max(1, d.samples);
  return (
    `Why: a block averages ${Math.round(perBlock).toLocaleString('en-US')} bytes and is one row; SQLite's 4 KiB pages ` +
    `hold one or two such rows and leave the rest unused (${slack.toFixed(2)} B a sample of rows, index and slack). ` +
    (larger <= limit
      ? `With ${d.largerPages.pageSize / 1024} KiB pages the same blocks and the journal's free pages take ${larger.toFixed(2)} B a sample, within the target: ` +
        'what would meet it is a larger page size for samples files (set before their tables are created, ' +
        'src/main/history/file.ts), or blocks sized to the page.'
      : `Even with ${d.largerPages.pageSize / 1024} KiB pages they take ${larger.toFixed(2)} B a sample with the journal's free pages: ` +
        'the packed data is too large for the target.')
  );
}

async function run(o: BenchOptions): Promise<Figure[]> {
  const hours = o.quick ? 6 : 24;
  // A day two days ago: the station's clock runs from its start to an hour after it ended.
  const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 2 * 24 * HOUR;
  const from = day + (24 - hours) * HOUR;
  const to = day + 24 * HOUR;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-disk-'));
  const broker = await startMosquitto({
    extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 1000'],
  });
  try {
    const figures: Figure[] = [];
    for (const kind of ['process', 'random'] as const)
      figures.push(figure(kind, hours, await dayThrough(kind, from, to, broker, work, o.log)));
    for (const f of figures)
      o.log(`  ${f.id}: ${f.station.median.toFixed(2)} B a sample (v8 rows ${f.baseline!.median.toFixed(2)} B)`);
    return figures;
  } finally {
    await broker.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export const diskBench: Bench = { id: 'disk', title: 'Disk: bytes per sample', run };
