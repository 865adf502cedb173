/**
 * 6. History (issue 9), on a store with 30 days of data: 200 points (50 in quick mode), each
 * with one raw sample a minute and one one-minute rollup a minute for 30 days (17.3 million
 * rows; 4.3 million quick). The raw samples past the 7-day raw retention (23 days of them)
 * are the backlog a station finds after retention was lowered or the station was off.
 *
 * - The 24-hour trend of one point (`trends.get`, range 24h: 1,440 rollups) through the
 *   station's handler, against the same SQL on a bare better-sqlite3 connection, alternately.
 * - Retention pruning while ingest runs: the event loop's delay p99 (monitorEventLoopDelay)
 *   with pruning running, against the same ingest without it, alternately; once under a
 *   full-rate flood (bench/lib/publisher.ts at QoS 1, as in the ingest bench: item 2's
 *   condition) and once under steady ingest of 10,000 samples/s (bench/lib/paced-publisher.ts),
 *   where the ingest path alone is within the target and pruning's own share shows.
 *
 * The store is built once and cached in the OS temp folder (keyed by schema version and
 * layout); each run of the bench works on a copy. The station's clock is set to the moment
 * the store's data ends, so an old cache still holds "the last 30 days". The scheduled backup
 * (which would copy the whole store at start) is put off; retention's own timer is stopped
 * and pruning started by hand at the flood's start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { migrations } from '../migrations';
import { latestVersion, migrate } from '../src/main/store/migrator';
import { startMosquitto } from '../tests/helpers/broker-procs';
import type { Bench, BenchOptions } from './lib/bench';
import { PublisherProcess } from './lib/publisher-process';
import type { Figure } from './lib/report';
import { percentile, spread } from './lib/stats';
import { SITE, bulkLoad, pointId, sleep, startStation, waitUntil, type BenchStation } from './lib/stations';

const DAYS = 30;
const MINUTE = 60_000;
const LAYOUT = 1;
/** The publisher's topics (as in the ingest bench). */
const FLOOD_TOPICS = 5_000;
/** Steady ingest: a busy site, well within what the station keeps up with. */
const STEADY_RATE = 10_000;

function cacheFile(points: number): string {
  return path.join(
    os.tmpdir(),
    `plainview-bench-history-schema${latestVersion(migrations)}-layout${LAYOUT}-${points}p.db`,
  );
}

function buildStore(file: string, points: number, log: (l: string) => void): void {
  if (fs.existsSync(file)) return;
  const t0 = Date.now();
  const building = `${file}.${process.pid}.building`;
  fs.rmSync(building, { force: true });
  const db = new Database(building);
  try {
    migrate(db, migrations);
    const now = Date.now();
    const at = new Date(now).toISOString();
    db.transaction(() => {
      db.prepare('INSERT INTO sites (id, name, demo, created_at) VALUES (?, ?, 0, ?)').run(SITE, 'Bench pipeline', at);
      const point = db.prepare(`INSERT INTO telemetry_points (id, site_id, kind, unit, segment, valve_id, last_value,
        last_quality, last_ts) VALUES (?, ?, 'pressure', 'bar', NULL, NULL, 50, 'good', ?)`);
      for (let p = 0; p < points; p++) point.run(pointId(p), SITE, now);
    })();
    const perPoint = (DAYS * 86_400_000) / MINUTE;
    bulkLoad(db, { points, samplesPerPoint: perPoint, everyMs: MINUTE, endMs: now, rollupsPerPoint: perPoint });
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  fs.renameSync(building, file);
  const mib = Math.round(fs.statSync(file).size / 2 ** 20);
  log(`  built ${path.basename(file)} (${mib} MiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

interface Ingest {
  delayP99: number;
  delayMax: number;
  pruned: number;
  seconds: number;
}

/**
 * The event loop's delay while `drive` publishes (it resolves with how many samples it sent)
 * and until the station has written them all, with or without pruning alongside.
 */
async function underIngest(st: BenchStation, drive: () => Promise<number>, prune: boolean): Promise<Ingest> {
  const { field, telemetry } = st.running;
  const written0 = field.counters.written;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  delay.enable();
  const pruning = prune ? telemetry.retention.run() : Promise.resolve(0);
  const sent = await drive();
  await waitUntil(() => field.counters.written - written0 >= sent, `${sent} samples written`, 120_000, 5);
  delay.disable();
  const seconds = (performance.now() - t0) / 1000;
  telemetry.retention.stop();
  const pruned = await pruning;
  return { delayP99: delay.percentile(99) / 1e6, delayMax: delay.max / 1e6, pruned, seconds };
}

/** Runs `once(prune)` `runs` times each way, alternating which goes first. */
async function pairs(
  runs: number,
  once: (prune: boolean) => Promise<Ingest>,
  log: (w: Ingest, n: Ingest, r: number) => void,
): Promise<{ withPruning: Ingest[]; without: Ingest[] }> {
  const withPruning: Ingest[] = [];
  const without: Ingest[] = [];
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      without.push(await once(false));
      withPruning.push(await once(true));
    } else {
      withPruning.push(await once(true));
      without.push(await once(false));
    }
    log(withPruning.at(-1)!, without.at(-1)!, r);
  }
  return { withPruning, without };
}

function retentionFigure(
  id: string,
  what: string,
  p: { withPruning: Ingest[]; without: Ingest[] },
  load: string,
): Figure {
  const s = spread(p.withPruning.map((x) => x.delayP99));
  const b = spread(p.without.map((x) => x.delayP99));
  const pruned = p.withPruning.reduce((n, x) => n + x.pruned, 0);
  const seconds = p.withPruning.reduce((n, x) => n + x.seconds, 0);
  return {
    id,
    what,
    unit: 'ms',
    station: s,
    baseline: { ...b, what: 'the same ingest, no pruning' },
    ratio: s.median - b.median,
    target: '≤ 10 ms',
    met: s.max <= 10,
    note:
      `${load}; pruning runs from the start of the ingest until the station has written it all ` +
      `(${pruned.toLocaleString('en-US')} rows pruned in ${seconds.toFixed(1)} s over ${p.withPruning.length} runs, ` +
      `of a backlog of 23 days of raw samples); worst single delay ${Math.round(Math.max(...p.withPruning.map((x) => x.delayMax)))} ms ` +
      `with pruning, ${Math.round(Math.max(...p.without.map((x) => x.delayMax)))} ms without; the ratio column is the difference.` +
      (s.max <= 10 ? '' : ` ${why(b.max > 10)}`),
  };
}

/** Why a miss, from the CPU profiles (node --cpu-prof) taken when the target was first missed (2026-11-25). */
function why(ingestAloneOver: boolean): string {
  const ingest = ingestAloneOver
    ? 'The ingest alone is over the target in the same run (the baseline column): that delay is the ingest path ' +
      "(item 2; mqtt.js parsing, ingest.handle, garbage collection lead the profile) and the machine's other load. "
    : '';
  return (
    `Why: ${ingest}Pruning's own share: 500-row DELETE statements of about 1 ms of CPU each (p99 2.3 ms), at most a ` +
    'slice of 2 ms at a time with a rest at least as long, backing off while the event loop is busy, and a WAL ' +
    'checkpoint of what it wrote every 250 ms when nothing else writes (7 to 13 ms each, mostly fsync); in a profile ' +
    'during a flood it took about 9 % of the main thread (ingest 20 %, garbage collection 10 %). Before the fix (one 25-point step of up to 100,000 rows ' +
    "per turn, a DISTINCT scan of the rollups, and waits for the writer thread's lock on the shared connection) " +
    'a single turn held the event loop for 150 to 340 ms, and up to a second under the flood.'
  );
}

async function run(o: BenchOptions): Promise<Figure[]> {
  const points = o.quick ? 50 : 200;
  const file = cacheFile(points);
  buildStore(file, points, o.log);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-history-'));
  const cleanups: (() => Promise<unknown>)[] = [async () => fs.rmSync(work, { recursive: true, force: true })];
  try {
    const dataDir = path.join(work, 'data');
    fs.mkdirSync(dataDir);
    fs.copyFileSync(file, path.join(dataDir, 'plainview.db'), fs.constants.COPYFILE_FICLONE);
    const probe = new Database(path.join(dataDir, 'plainview.db'), { readonly: true, fileMustExist: true });
    const { end } = probe.prepare('SELECT max(bucket) AS end FROM telemetry_rollups').get() as { end: number };
    probe.close();
    // The station's clock starts where the store's data ends (plus the minute it covers).
    const shift = Date.now() - (end + MINUTE);
    const broker = await startMosquitto({
      extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 100'],
    });
    cleanups.unshift(() => broker.dispose());
    const st = await startStation(
      {
        PLAINVIEW_MQTT_URL: broker.url,
        PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
        // The scheduled backup would copy the whole store at start: put off for the measurement.
        PLAINVIEW_BACKUP_INTERVAL_HOURS: '1000000',
      },
      { dataDir, deps: { now: () => new Date(Date.now() - shift) } },
    );
    cleanups.unshift(() => st.stop());
    st.running.telemetry.retention.stop(); // pruning only when this bench says so

    // --- the 24-hour trend ------------------------------------------------------------
    const bare = new Database(path.join(dataDir, 'plainview.db'), { readonly: true, fileMustExist: true });
    cleanups.unshift(async () => bare.close());
    const bareQuery = bare
      .prepare(
        'SELECT bucket, mean, min, max FROM telemetry_rollups WHERE point_id = ? AND bucket >= ? ORDER BY bucket',
      )
      .raw();
    const calls = o.quick ? 300 : 1_000;
    const trendStation: number[] = [];
    const trendBare: number[] = [];
    let rowsSeen = 0;
    for (let r = 0; r < o.runs; r++) {
      const s: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < calls + 20; i++) {
        const id = pointId((i * 7919 + r) % points);
        const t0 = performance.now();
        const answer = await st.station.handlers['trends.get'](
          { pointId: id, range: '24h' },
          { requestId: `bench-${i}`, senderUrl: 'bench://' },
        );
        if (!answer.ok) throw new Error(`trend refused: ${answer.refusal.message}`);
        const trend = answer.value;
        const t1 = performance.now();
        const rows = bareQuery.all(id, Date.now() - shift - 86_400_000) as unknown[];
        const t2 = performance.now();
        rowsSeen = trend.t.length;
        if (rows.length !== trend.t.length) throw new Error(`trend has ${trend.t.length} points, bare ${rows.length}`);
        if (i >= 20) {
          s.push(t1 - t0);
          b.push(t2 - t1);
        }
      }
      trendStation.push(percentile(s, 99));
      trendBare.push(percentile(b, 99));
      o.log(
        `  trend run ${r + 1}: station p99 ${trendStation.at(-1)!.toFixed(2)} ms (p50 ${percentile(s, 50).toFixed(2)}), ` +
          `bare SQL p99 ${trendBare.at(-1)!.toFixed(2)} ms, ${rowsSeen} points per trend`,
      );
    }

    // --- retention under ingest --------------------------------------------------------
    const { field } = st.running;
    await waitUntil(() => field.link.online, 'the field link');
    const flooder = await PublisherProcess.start('publisher.ts', {
      url: broker.url,
      site: SITE,
      qos: 1,
      topics: FLOOD_TOPICS,
    });
    cleanups.unshift(() => flooder.stop());
    await waitUntil(
      () => (field.counters.accepted.get('point_meta') ?? 0) >= FLOOD_TOPICS,
      'the flood points',
      60_000,
      20,
    );
    const paced = await PublisherProcess.start('paced-publisher.ts', {
      url: broker.url,
      site: SITE,
      topics: FLOOD_TOPICS,
      rate: STEADY_RATE,
    });
    cleanups.unshift(() => paced.stop());
    await sleep(300);
    const count = o.quick ? 60_000 : 150_000;
    const seconds = o.quick ? 3 : 8;
    const flood = async () => (await flooder.ask({ cmd: 'go', count }), count);
    const steady = async () => (await paced.ask<{ sent: number }>({ cmd: 'go', seconds })).sent;
    await underIngest(st, flood, false); // warm-up
    const floods = await pairs(
      o.runs,
      (prune) => underIngest(st, flood, prune),
      (w, n, r) =>
        o.log(
          `  flood run ${r + 1}: event-loop delay p99 ${w.delayP99.toFixed(1)} ms with pruning (${w.pruned.toLocaleString('en-US')} rows in ${w.seconds.toFixed(1)} s), ${n.delayP99.toFixed(1)} ms without`,
        ),
    );
    const steadies = await pairs(
      o.runs,
      (prune) => underIngest(st, steady, prune),
      (w, n, r) =>
        o.log(
          `  steady run ${r + 1}: event-loop delay p99 ${w.delayP99.toFixed(1)} ms with pruning (${w.pruned.toLocaleString('en-US')} rows in ${w.seconds.toFixed(1)} s), ${n.delayP99.toFixed(1)} ms without`,
        ),
    );
    const ts = spread(trendStation);
    const tb = spread(trendBare);
    const rawRows = points * ((DAYS * 86_400_000) / MINUTE);
    return [
      {
        id: 'history.trend24h',
        what: `History: 24-hour trend of one point, p99 (${DAYS} days of data over ${points} points)`,
        unit: 'ms',
        station: ts,
        baseline: { ...tb, what: 'the same SQL on a bare better-sqlite3 connection' },
        ratio: ts.median / tb.median,
        target: 'p99 ≤ 20 ms',
        met: ts.max <= 20,
        note:
          `${calls} calls of \`trends.get\` (range 24h: ${rowsSeen.toLocaleString('en-US')} one-minute rollups each) per run, ` +
          `points taken in turn; store: ${points} points × ${DAYS} days × (1 raw sample + 1 rollup a minute) = ` +
          `${(2 * rawRows).toLocaleString('en-US')} rows.`,
      },
      retentionFigure(
        'history.retention.flood',
        'History: event-loop delay p99, retention pruning during a full-rate flood (QoS 1)',
        floods,
        `${count.toLocaleString('en-US')} samples per flood, as fast as mosquitto takes them (bench/lib/publisher.ts)`,
      ),
      retentionFigure(
        'history.retention.steady',
        `History: event-loop delay p99, retention pruning during steady ingest (${STEADY_RATE.toLocaleString('en-US')} msgs/s)`,
        steadies,
        `${STEADY_RATE.toLocaleString('en-US')} samples/s for ${seconds} s at QoS 1 (bench/lib/paced-publisher.ts)`,
      ),
    ];
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

export const historyBench: Bench = { id: 'history', title: 'History: trends and retention', run };
