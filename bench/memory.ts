/**
 * 8. Memory (issue 9): the station's resident memory over a long run at 20,000 telemetry
 * messages a second through mosquitto. The station runs as the real `plainview station`
 * (`node out/main/cli.js station`) in its own process, so nothing of the bench's own memory
 * mixes in; its RSS is read from /proc/<pid>/status every sample, with the anonymous, file
 * and shared parts, and the V8 heap figures asked of the process over IPC. Baseline: a bare
 * mqtt.js subscriber process under the same flood at the same time. Growth is measured after
 * a warm-up. The heap's sawtooth (from tens to hundreds of MB between two major collections at
 * this rate) would swamp any single sample, so RSS is sampled every second and floors are compared: the
 * lowest RSS of the first stretch after warm-up against that of the last, and a least-squares
 * trend over the floors of fixed windows.
 *
 * Modes: `--quick` 45 s (20 s warm-up, indicative only); full 3 minutes (60 s warm-up); the 30
 * minutes of the issue (5 minutes warm-up, first 5 minutes against last 5) only when the runner
 * is given `--long`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMosquitto, type TestBroker } from '../tests/helpers/broker-procs';
import type { Bench, BenchOptions } from './lib/bench';
import { countStoredSamples, fileBytes, historyBytes } from './lib/history-files';
import { RatePublisher } from './lib/rate-driver';
import type { Figure } from './lib/report';
import { spread } from './lib/stats';

const SITE = 'bench';
const TOPICS = 5_000;
const RATE = 20_000;
const TARGET_PCT = 5;
const MiB = 1024 * 1024;

interface Mode {
  name: string;
  totalS: number;
  warmupS: number;
  /** Seconds per sample: often enough to catch the troughs after each major collection. */
  everyS: number;
  /** Seconds at each end of the measured period whose floor (lowest RSS) is compared. */
  endS: number;
  /** Seconds per window for the trend (least squares over the windows' floors). */
  windowS: number;
}

const MODES: Record<'quick' | 'full' | 'long', Mode> = {
  quick: { name: 'quick (45 s, warm-up 20 s)', totalS: 45, warmupS: 20, everyS: 1, endS: 12, windowS: 12 },
  full: { name: 'full (3 min, warm-up 60 s)', totalS: 180, warmupS: 60, everyS: 1, endS: 40, windowS: 30 },
  long: { name: 'long (30 min, warm-up 5 min)', totalS: 1800, warmupS: 300, everyS: 1, endS: 300, windowS: 60 },
};

interface ProcMem {
  rss: number;
  anon: number;
  file: number;
  shmem: number;
  hwm: number;
}

type Heap = NodeJS.MemoryUsage & { spaces: Record<string, number> };
/** The probe's answer to `profile`: [function, share of CPU samples] and [allocation site ← caller, bytes]. */
type Profile = { cpu: [string, number][]; heap: [string, number][] } | { error: string };

interface Sample {
  t: number;
  station: ProcMem;
  heap: Heap | null;
  base: ProcMem;
  sent: number;
  behind: number;
  received: number;
  /** CPU seconds the station has used so far. */
  cpu: number;
}

/** VmRSS and its parts from /proc/<pid>/status, in bytes. */
function procMem(pid: number): ProcMem {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem'), hwm: kb('VmHWM') };
}

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Loaded into the station's process with --import; the station's code is untouched. Over the
 * IPC channel it answers `mem` with process.memoryUsage() and the size of each V8 heap space,
 * allocating only when asked. `profile-start` starts V8's CPU profiler and sampling heap
 * profiler (through the inspector, in this process), `profile` stops them and answers with the
 * functions that took the most CPU and the allocation sites still holding the most memory.
 * The profilers run only after the measurement, when growth was too high: the sampling heap
 * profiler changes what is measured (tried: the heap's sawtooth flattens while it runs).
 */
const HEAP_PROBE = `import v8 from 'node:v8';
import inspector from 'node:inspector';
let session = null;
const where = (f) => (f.functionName || '(anonymous)') + ' (' + (f.url.split('/').pop() || 'native') + ':' + (f.lineNumber + 1) + ')';
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params || {}, (err, res) => (err ? reject(err) : resolve(res))));
async function profile() {
  const { profile: cpu } = await post('Profiler.stop');
  const { profile: heap } = await post('HeapProfiler.getSamplingProfile');
  await post('HeapProfiler.stopSampling');
  const total = cpu.samples.length || 1;
  const self = new Map();
  for (const n of cpu.nodes) if (n.hitCount) self.set(where(n.callFrame), (self.get(where(n.callFrame)) || 0) + n.hitCount / total);
  const sites = new Map();
  const walk = (n, parent) => {
    const key = parent ? where(n.callFrame) + ' ← ' + where(parent.callFrame) : where(n.callFrame);
    if (n.selfSize) sites.set(key, (sites.get(key) || 0) + n.selfSize);
    for (const c of n.children) walk(c, n);
  };
  walk(heap.head, null);
  const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  return { cpu: top(self, 8), heap: top(sites, 6) };
}
process.on('message', (m) => {
  if (m === 'mem') process.send({ mem: { ...process.memoryUsage(), spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size])) } });
  else if (m === 'profile-start') {
    session = new inspector.Session();
    session.connect();
    void post('Profiler.enable').then(() => post('Profiler.start')).then(() => post('HeapProfiler.startSampling', { samplingInterval: 131072 }));
  } else if (m === 'profile') profile().then((p) => process.send({ profile: p }), (e) => process.send({ profile: { error: String(e) } }));
});`;

/** The baseline: a bare mqtt.js subscriber that only counts, as its own Node process. */
const BARE_SUBSCRIBER = `
const mqtt = require('mqtt');
let received = 0;
const client = mqtt.connect(process.env.BENCH_URL, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
client.on('message', () => received++);
client.on('connect', () => client.subscribe(process.env.BENCH_TOPIC, { qos: 1 }, () => process.send({ ready: true })));
process.on('message', (m) => { if (m === 'count') process.send({ received }); });
`;

function ask<T>(child: ChildProcess, question: string, key: string, timeoutMs = 2_000): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', on);
      resolve(null);
    }, timeoutMs);
    const on = (m: unknown) => {
      const v = (m as Record<string, unknown>)[key];
      if (v === undefined) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(v as T);
    };
    child.on('message', on);
    child.send(question);
  });
}

function waitFor(child: ChildProcess, what: (line: string) => boolean, label: string, timeoutMs: number) {
  return new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${label}: not ready in ${timeoutMs} ms\n${out.slice(-2000)}`)),
      timeoutMs,
    );
    const on = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
      if (what(out)) {
        clearTimeout(timer);
        child.stdout?.off('data', on);
        child.stderr?.off('data', on);
        child.off('exit', onExit);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready\n${out.slice(-2000)}`));
    };
    child.once('exit', onExit);
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const mb = (n: number) => `${(n / MiB).toFixed(1)} MB`;

/** Least-squares slope of y over t (seconds), per minute. */
function slopePerMin(points: { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return (num / den) * 60;
}

/** The station's RSS growth (%) between the floors of the first and last `endS` seconds after warm-up. */
function floorGrowth(samples: Sample[], mode: Mode): number {
  const after = samples.filter((s) => s.t >= mode.warmupS - 0.5);
  if (!after.length) return Number.NaN;
  const t1 = after.at(-1)!.t;
  const a = Math.min(...after.filter((s) => s.t < mode.warmupS + mode.endS).map((s) => s.station.rss));
  const b = Math.min(...after.filter((s) => s.t >= t1 - mode.endS).map((s) => s.station.rss));
  return ((b - a) / a) * 100;
}

async function run(o: BenchOptions): Promise<Figure[]> {
  const long = process.argv.includes('--long');
  const mode = o.quick ? MODES.quick : long ? MODES.long : MODES.full;
  const cli = path.join(o.root, 'out', 'main', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error('out/main/cli.js is missing: run `npm run build` first');
  o.log(`  mode ${mode.name}; station built ${fs.statSync(cli).mtime.toISOString().slice(0, 19)}Z`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-memory-'));
  const dataDir = path.join(home, 'data');
  let broker: TestBroker | null = null;
  let pub: RatePublisher | null = null;
  let station: ChildProcess | null = null;
  let bare: ChildProcess | null = null;
  const samples: Sample[] = [];
  let sentTotal: number;
  let written = Number.NaN;
  let stopProblem = '';
  let profile: Profile | null = null;
  let dbBytes: number;
  let historyFilesBytes: number;
  const loads: number[] = [];
  try {
    // The site's broker settings (DEPLOYMENT.md).
    broker = await startMosquitto({
      extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 1000'],
    });
    // The publisher's retained point meta is on the broker before either subscriber connects.
    // QoS 1, the station's strict path (acknowledged only once on disk, so nothing is lost and
    // the count of samples stored below checks that it kept up); gateways send samples at QoS 0.
    pub = await RatePublisher.start({
      url: broker.url,
      site: SITE,
      qos: 1,
      rate: RATE,
      kind: 'telemetry',
      topics: TOPICS,
    });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: home,
      PLAINVIEW_DATA_DIR: dataDir,
      PLAINVIEW_SITE_ID: SITE,
      PLAINVIEW_STATION_ID: 'bench-station',
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_LOG_LEVEL: 'info',
    };
    station = spawn(
      process.execPath,
      [`--import=data:text/javascript,${encodeURIComponent(HEAP_PROBE)}`, cli, 'station'],
      { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    await waitFor(station, (out) => out.includes('field link online'), 'the station', 60_000);
    station.stdout?.resume();
    station.stderr?.resume();
    bare = spawn(process.execPath, ['-e', BARE_SUBSCRIBER], {
      cwd: o.root,
      env: { PATH: process.env.PATH, BENCH_URL: broker.url, BENCH_TOPIC: `plainview/v2/${SITE}/#` },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise((resolve, reject) => {
      bare!.once('message', resolve);
      bare!.once('exit', (code) => reject(new Error(`the bare subscriber exited (${code})`)));
    });
    bare.removeAllListeners('exit');
    // The retained point meta reaches both, then the flood begins.
    await new Promise((r) => setTimeout(r, 2_000));

    pub.go();
    const t0 = Date.now();
    const logEvery = Math.max(mode.everyS, mode.totalS / 12);
    let logged = -Infinity;
    for (let i = 0; ; i++) {
      const due = t0 + i * mode.everyS * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const t = (Date.now() - t0) / 1000;
      const [stats, heap, count] = await Promise.all([
        pub.stats(),
        ask<Heap>(station, 'mem', 'mem'),
        ask<number>(bare, 'count', 'received'),
      ]);
      const s: Sample = {
        t,
        station: procMem(station.pid!),
        heap,
        base: procMem(bare.pid!),
        sent: stats.sent,
        behind: stats.behind,
        received: count ?? Number.NaN,
        cpu: cpuSeconds(station.pid!),
      };
      samples.push(s);
      loads.push(os.loadavg()[0]!);
      if (t - logged >= logEvery - 0.5) {
        logged = t;
        o.log(
          `  ${Math.round(t)} s: station RSS ${mb(s.station.rss)} (anon ${mb(s.station.anon)}, file ${mb(s.station.file)}, shmem ${mb(s.station.shmem)}; V8 heap ${heap ? mb(heap.heapUsed) : '?'} of ${heap ? mb(heap.heapTotal) : '?'}, external ${heap ? mb(heap.external) : '?'}), bare subscriber ${mb(s.base.rss)}; sent ${s.sent.toLocaleString('en-US')}${s.behind > RATE ? `, ${s.behind.toLocaleString('en-US')} behind` : ''}`,
        );
      }
      if (t >= mode.totalS) break;
    }
    // Over the target: profile the station for a while longer under the same flood.
    if (floorGrowth(samples, mode) > TARGET_PCT) {
      const seconds = o.quick ? 8 : 20;
      o.log(`  over the target: profiling the station for ${seconds} s more under the same flood`);
      station.send('profile-start');
      await new Promise((r) => setTimeout(r, seconds * 1000));
      profile = await ask<Profile>(station, 'profile', 'profile', 30_000);
    }
    pub.pause();
    sentTotal = (await pub.stats()).sent;
    // Let the station write what it has, then stop it cleanly (it checkpoints and closes).
    await new Promise((r) => setTimeout(r, 3_000));
    station.kill('SIGTERM');
    const code = await exited(station, 15_000);
    if (code !== 0) {
      stopProblem = code === null ? 'did not stop within 15 s and was killed' : `exited with ${code} on SIGTERM`;
      o.log(`  the station ${stopProblem}`);
    }
    try {
      written = countStoredSamples(dataDir);
    } catch (err) {
      o.log(`  could not count the station's samples: ${(err as Error).message}`);
    }
    dbBytes = fileBytes(path.join(dataDir, 'plainview.db'));
    historyFilesBytes = historyBytes(path.join(dataDir, 'history')).bytes;
  } finally {
    if (station && station.exitCode === null && station.signalCode === null) {
      station.kill('SIGTERM');
      await exited(station, 10_000);
    }
    if (bare && bare.exitCode === null && bare.signalCode === null) {
      bare.kill('SIGTERM');
      await exited(bare, 5_000);
    }
    await pub?.stop();
    await broker?.dispose();
    fs.rmSync(home, { recursive: true, force: true });
  }

  // Every sample, for a closer look: PLAINVIEW_BENCH_MEMORY_SAMPLES=<file.json>.
  const dump = process.env.PLAINVIEW_BENCH_MEMORY_SAMPLES;
  if (dump) fs.writeFileSync(dump, JSON.stringify(samples));

  // The measured period, from the end of the warm-up: the floor of its first `endS` seconds
  // against the floor of its last, and the floors of `windowS` windows for the trend.
  const after = samples.filter((s) => s.t >= mode.warmupS - 0.5);
  const slice = (from: number, to: number) => after.filter((s) => s.t >= from && s.t < to);
  const t1 = after.at(-1)!.t;
  const head = slice(mode.warmupS - 0.5, mode.warmupS + mode.endS);
  const tail = slice(t1 - mode.endS, Number.POSITIVE_INFINITY);
  const windows: Sample[][] = [];
  for (let from = mode.warmupS; from + mode.windowS <= t1 + 0.5; from += mode.windowS) {
    const w = slice(from - 0.5, from + mode.windowS - 0.5);
    if (w.length) windows.push(w);
  }
  if (!head.length || !tail.length || windows.length < 2)
    throw new Error(`too few samples after warm-up (${after.length})`);
  const floorOf = (w: Sample[], pick: (s: Sample) => number) => Math.min(...w.map(pick));
  const growth = (pick: (s: Sample) => number) => {
    const a = floorOf(head, pick);
    const b = floorOf(tail, pick);
    return { a, b, pct: ((b - a) / a) * 100 };
  };
  const st = growth((s) => s.station.rss);
  const base = growth((s) => s.base.rss);
  // The parts at the samples where the station's floors were, so they add up to its change.
  const atFloor = (w: Sample[]) => w.reduce((lo, s) => (s.station.rss < lo.station.rss ? s : lo));
  const f0 = atFloor(head);
  const f1 = atFloor(tail);
  const delta = (pick: (s: Sample) => number | undefined) => {
    const a = pick(f0);
    const b = pick(f1);
    if (a === undefined || b === undefined) return '?';
    return `${b - a >= 0 ? '+' : ''}${((b - a) / MiB).toFixed(1)} MB`;
  };
  const trend = slopePerMin(windows.map((w) => ({ t: atFloor(w).t, y: atFloor(w).station.rss })));
  const baseTrend = slopePerMin(windows.map((w) => ({ t: w[0]!.t, y: floorOf(w, (s) => s.base.rss) })));
  const span = (f1.t - f0.t) / 60;
  const projected = ((trend * (MODES.long.totalS - MODES.long.warmupS)) / 60 / st.a) * 100;
  const end = samples.at(-1)!;
  const sentRate = end.sent / end.t;
  const maxBehind = Math.max(...samples.map((s) => s.behind));
  const met = st.pct <= TARGET_PCT;
  const breakdown = `RSS floor ${mb(st.a)} → ${mb(st.b)} over ${span.toFixed(1)} min after warm-up: anon ${delta((s) => s.station.anon)}, file ${delta((s) => s.station.file)}, shmem ${delta((s) => s.station.shmem)}; V8 heap used ${delta((s) => s.heap?.heapUsed)} (heap total ${delta((s) => s.heap?.heapTotal)}), external ${delta((s) => s.heap?.external)}, array buffers ${delta((s) => s.heap?.arrayBuffers)}; RSS between ${mb(Math.min(...after.map((s) => s.station.rss)))} and ${mb(Math.max(...after.map((s) => s.station.rss)))} after warm-up, peak ${mb(Math.max(...samples.map((s) => s.station.hwm)))}`;
  // The live heap just after each major collection (the used heap falling by a third or more
  // from one sample to the next): flat means what the station keeps does not grow.
  const collected: Sample[] = [];
  for (let i = 1; i < samples.length; i++) {
    const h0 = samples[i - 1]!.heap;
    const h1 = samples[i]!.heap;
    if (h0 && h1 && samples[i]!.t >= mode.warmupS - 0.5 && h1.heapUsed < h0.heapUsed * 0.67)
      collected.push(samples[i]!);
  }
  const liveLine = collected.length
    ? `Live heap just after the ${collected.length} major collection${collected.length === 1 ? '' : 's'} seen after warm-up: ${collected
        .slice(0, 1)
        .concat(collected.length > 1 ? collected.slice(-1) : [])
        .map((s) => `${mb(s.heap!.heapUsed)} at ${Math.round(s.t)} s`)
        .join(
          ' … ',
        )} (lowest ${mb(Math.min(...collected.map((s) => s.heap!.heapUsed)))}, highest ${mb(Math.max(...collected.map((s) => s.heap!.heapUsed)))})`
    : 'No major collection seen after warm-up';
  const profileLine = !profile
    ? ''
    : 'error' in profile
      ? ` (The profile failed: ${profile.error}.)`
      : ` Profile of the station for a while after the measurement, same flood: CPU ${profile.cpu.map(([f, share]) => `${f} ${Math.round(share * 100)} %`).join(', ')}; live sampled allocations (incl. garbage not yet collected) ${profile.heap.map(([w, b]) => `${w} ${mb(b)}`).join('; ')}.`;
  const first = after[0]!;
  const cpuShare = (end.cpu - first.cpu) / (end.t - first.t);
  const peakHeap = Math.max(...samples.map((s) => s.heap?.heapUsed ?? 0));
  const unanswered = samples.filter((s) => !s.heap).length;
  const peakLine = ` The used heap peaked at ${mb(peakHeap)}${unanswered ? `; ${unanswered} of ${samples.length} samples went unanswered for 2 s (the station's event loop that long busy)` : ''}.`;
  // The profile: where the change between the two floors sits.
  const heapLine = (() => {
    const h0 = f0.heap;
    const h1 = f1.heap;
    if (!h0 || !h1) return ' (no V8 heap figures at the floors: the station did not answer in time)';
    const anon = f1.station.anon - f0.station.anon;
    const total = h1.heapTotal - h0.heapTotal;
    const spaces = Object.keys(h1.spaces)
      .map((k) => [k, h1.spaces[k]! - (h0.spaces[k] ?? 0)] as const)
      .filter(([, d]) => Math.abs(d) >= 0.5 * MiB)
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
      .map(([k, d]) => `${k} ${d >= 0 ? '+' : ''}${(d / MiB).toFixed(1)} MB`)
      .join(', ');
    const where =
      anon > 0 && total >= 0.6 * anon
        ? `most of the ${mb(anon)} is the V8 heap's committed size (${spaces || 'no single space'})`
        : `most of the ${mb(anon)} is outside the V8 heap (native memory: SQLite's page cache, the writer thread, malloc arenas, socket buffers); V8 spaces ${spaces || 'unchanged'}`;
    return ` Where it went: ${where}.${profileLine}`;
  })();
  o.log(`  station: ${breakdown}`);
  // A trend over less than two minutes of a sawtooth says little; it is printed, not projected.
  const projection =
    (t1 - mode.warmupS) / 60 >= 2
      ? `; ${projected.toFixed(1)} % over 25 min if it held`
      : '; too short a window to project';
  const trendLine = `trend of the ${windows.length} window floors ${(trend / MiB).toFixed(2)} MB/min (least squares${projection}), bare subscriber ${(baseTrend / MiB).toFixed(2)} MB/min`;
  o.log(`  ${trendLine}`);
  o.log(`  ${liveLine}.${peakLine}${heapLine}`);
  return [
    {
      id: 'memory.rss',
      what: `Station RSS growth after warm-up at ${RATE.toLocaleString('en-US')} msgs/s (${o.quick ? 'quick' : long ? '30 min' : '3 min'})`,
      unit: '%',
      station: spread([st.pct]),
      baseline: { ...spread([base.pct]), what: `bare mqtt.js subscriber, ${mb(base.a)} → ${mb(base.b)}` },
      target: `≤ ${TARGET_PCT} % (30 min)`,
      met,
      note: `Mode ${mode.name}${long ? '' : '; the 30-minute run of the issue needs `--long`'}${o.quick ? ' (indicative only: 25 s after a 20 s warm-up is about one major collection at this rate, and V8 is still sizing its heap; hold the full or --long run to the target)' : ''}; one run, the station as \`node out/main/cli.js station\` in its own process (RSS from /proc), a sample every ${mode.everyS} s; growth between the floors (lowest RSS, just after a major collection) of the first and last ${mode.endS} s after warm-up. ${breakdown}. ${trendLine[0]!.toUpperCase()}${trendLine.slice(1)}. Flood: telemetry at QoS 1 over ${TOPICS.toLocaleString('en-US')} topics, ${Math.round(sentRate).toLocaleString('en-US')} msgs/s sent on average${maxBehind > RATE ? ` (the publisher fell up to ${maxBehind.toLocaleString('en-US')} messages behind its schedule: the broker or the machine short of CPU)` : ''}, ${Number.isNaN(written) ? '?' : written.toLocaleString('en-US')} of ${sentTotal.toLocaleString('en-US')} samples in the station's history files (${mb(historyFilesBytes)}; its operational database ${mb(dbBytes)})${written < sentTotal ? `: the station fell ${(sentTotal - written).toLocaleString('en-US')} behind, the rest waiting at the broker` : ''}; the station used ${Math.round(cpuShare * 100)} % of a core after warm-up; the bare subscriber received ${end.received.toLocaleString('en-US')} by the last sample. Load average ${median(loads).toFixed(1)} (median) on ${os.cpus().length} cores.${stopProblem ? ` The station ${stopProblem}.` : ''} ${liveLine}.${peakLine}${met ? '' : heapLine}`,
    },
  ];
}

export const memoryBench: Bench = { id: 'memory', title: 'Station memory under a long flood', run };
