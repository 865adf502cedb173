/**
 * 1. Ingest and 2. responsiveness under it (issue 9): a publisher process floods mosquitto
 * with 120-byte telemetry over 5,000 topics; a bare mqtt.js wildcard subscriber that only
 * counts is the baseline; the station takes the same flood through its whole path
 * (validate, persist, state, coalesced pushes). Meanwhile the station's event-loop delay and
 * the round trip of a trivial IPC-contract call are sampled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { loadConfig } from '../src/main/config';
import { IpcRouter } from '../src/main/ipc/router';
import { createLogger } from '../src/main/log';
import { createStation, type Station } from '../src/main/station';
import { topics } from '../src/shared/protocol';
import { startMosquitto, type TestBroker } from '../tests/helpers/broker-procs';
import type { Bench, BenchOptions } from './lib/bench';
import { measureCpu } from './lib/cpu';
import { installNodeRed, NodeRedFlow, NODE_RED_VERSION, type NodeRedInstall } from './lib/node-red';
import { PublisherProcess } from './lib/publisher-process';
import type { Figure } from './lib/report';
import { percentile, spread } from './lib/stats';

const SITE = 'bench';
const TOPICS = 5_000;
/** What the bare subscriber and Node-RED subscribe to: every telemetry sample of the site. */
const SAMPLES = `plainview/v2/${SITE}/gateways/+/points/+/sample`;
const quiet = createLogger({ level: 'error', json: true, sinks: [] });

interface Round {
  rate: number;
  lost: number;
  counted: number;
  /** CPU of the measured process per message (µs) and how busy the machine was. */
  cpuUs: number;
  busy: number;
}

/**
 * Waits until `done(count)` or until `count()` has not moved for `quietMs`, looking every
 * `everyMs`; returns when the last change came.
 */
async function settle(
  count: () => number,
  done: (n: number) => boolean,
  quietMs: number,
  everyMs = 5,
): Promise<number> {
  let last = count();
  let lastAt = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, everyMs));
    const n = count();
    if (n !== last) {
      last = n;
      lastAt = Date.now();
    }
    if (done(n) || Date.now() - lastAt > quietMs) return lastAt;
  }
}

async function baselineRound(broker: TestBroker, pub: PublisherProcess, qos: 0 | 1, count: number): Promise<Round> {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  let received = 0;
  client.on('message', () => received++);
  await client.subscribeAsync(SAMPLES, { qos });
  const cpu = measureCpu();
  const flood = pub.ask<{ startedAt: number; endedAt: number }>({ cmd: 'go', count });
  const lastAt = await settle(
    () => received,
    () => received >= count,
    1_500,
  );
  const spent = cpu();
  const { startedAt } = await flood;
  await client.endAsync(true);
  return {
    rate: received / ((lastAt - startedAt) / 1000),
    lost: count - received,
    counted: 0,
    cpuUs: (spent.processMs * 1000) / Math.max(1, received),
    busy: spent.machineBusy,
  };
}

async function stationRound(
  broker: TestBroker,
  pub: PublisherProcess,
  qos: 0 | 1,
  count: number,
  probes: { delays: number[]; rtts: number[] },
): Promise<Round> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-'));
  const { config } = loadConfig({
    env: {
      PLAINVIEW_DATA_DIR: dir,
      PLAINVIEW_SITE_ID: SITE,
      PLAINVIEW_STATION_ID: 'bench-station',
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_LOG_LEVEL: 'error',
    },
    cwd: dir,
    policyPath: path.join(dir, 'none.json'),
    settingsPath: path.join(dir, 'none.json'),
  });
  const station: Station = createStation(config, { logSinks: [], osAccount: 'bench' });
  const running = await station.start();
  const { field } = running;
  const metaBy = Date.now() + 60_000;
  while (!field.link.online || (field.counters.accepted.get('point_meta') ?? 0) < TOPICS) {
    if (Date.now() > metaBy)
      throw new Error(
        `the station knew ${field.counters.accepted.get('point_meta') ?? 0} of ${TOPICS} points after 60 s`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 300));
  const router = new IpcRouter(station.handlers, () => true, quiet);
  const written0 = field.counters.written;
  const accepted0 = field.counters.accepted.get('telemetry') ?? 0;
  const dropped0 = field.counters.dropped;

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let probing = true;
  const probe = async () => {
    while (probing) {
      const t0 = performance.now();
      await router.dispatch('app.info', undefined, 'bench://');
      probes.rtts.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const probeDone = probe();
  const cpu = measureCpu();
  const flood = pub.ask<{ startedAt: number; endedAt: number }>({ cmd: 'go', count });
  const lastAt = await settle(
    () => field.counters.written + field.counters.dropped,
    () => field.counters.written - written0 >= count,
    1_500,
  );
  const spent = cpu();
  const { startedAt } = await flood;
  probing = false;
  await probeDone;
  delay.disable();
  probes.delays.push(delay.percentile(99) / 1e6);
  const written = field.counters.written - written0;
  const accepted = (field.counters.accepted.get('telemetry') ?? 0) - accepted0;
  const dropped = field.counters.dropped - dropped0;
  await station.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    rate: written / ((lastAt - startedAt) / 1000),
    lost: count - written,
    counted: dropped + (accepted - written - dropped),
    cpuUs: (spent.processMs * 1000) / Math.max(1, written),
    busy: spent.machineBusy,
  };
}

/**
 * The same flood into Node-RED (bench/lib/node-red.ts), started fresh on a new database for the
 * round. Rate = rows in its table ÷ time from the flood's start to the last row (counted every
 * 100 ms); lost = sent − rows. Node-RED acknowledges QoS 1 on receipt, before its row is
 * written, so a backlog waits in its memory: the round lasts until the rows stop growing.
 */
async function nodeRedRound(
  install: NodeRedInstall,
  root: string,
  broker: TestBroker,
  pub: PublisherProcess,
  qos: 0 | 1,
  count: number,
): Promise<Round> {
  const probeTopic = topics.telemetry(SITE, 'gw-probe', 'p-probe');
  const nr = await NodeRedFlow.start(install, { root, url: broker.url, topic: SAMPLES, probeTopic, qos });
  try {
    const rows0 = nr.rows();
    const cpu = measureCpu();
    const cpu0 = nr.cpuMs();
    const flood = pub.ask<{ startedAt: number; endedAt: number }>({ cmd: 'go', count });
    const lastAt = await settle(
      () => nr.rows() - rows0,
      (n) => n >= count,
      5_000,
      100,
    );
    const spentMs = nr.cpuMs() - cpu0;
    const busy = cpu().machineBusy;
    const { startedAt } = await flood;
    const rows = nr.rows() - rows0;
    return {
      rate: rows / ((lastAt - startedAt) / 1000),
      lost: count - rows,
      counted: 0,
      cpuUs: (spentMs * 1000) / Math.max(1, rows),
      busy,
    };
  } finally {
    await nr.stop();
  }
}

/** Node-RED, or null (and why, logged) when it cannot be installed here: the other figures still run. */
function nodeRed(o: BenchOptions): NodeRedInstall | null {
  try {
    return installNodeRed(o.root, o.log);
  } catch (err) {
    o.log(`  Node-RED baseline left out: ${(err as Error).message}`);
    return null;
  }
}

/** The station against Node-RED in the same run, with Node-RED against the bare subscriber. */
function nodeRedFigure(
  install: NodeRedInstall,
  qos: 0 | 1,
  count: number,
  st: Round[],
  nr: Round[],
  base: Round[],
): Figure {
  const s = spread(st.map((x) => x.rate));
  const n = spread(nr.map((x) => x.rate));
  const b = med(base.map((x) => x.rate));
  const ratio = s.median / n.median;
  const lost = Math.max(...nr.map((x) => x.lost));
  const store =
    install.store === 'node-red-node-sqlite'
      ? 'node-red-node-sqlite 1.1.1 (sqlite3 5.1.7, prepared INSERT)'
      : `a node of ours storing through better-sqlite3 (prepared INSERT), because ${install.why}`;
  return {
    id: `ingest.qos${qos}.node-red`,
    what: `Ingest, QoS ${qos}: the station against Node-RED ${NODE_RED_VERSION} (same flood, same broker)`,
    unit: 'msg/s',
    station: s,
    baseline: { ...n, what: `Node-RED ${NODE_RED_VERSION}: mqtt in → json → function → sqlite` },
    ratio,
    target: '≥ 1×',
    met: ratio >= 1,
    note:
      `Node-RED ${Math.round(n.median).toLocaleString('en-US')} msg/s stored, ${(n.median / b).toFixed(2)}× the bare ` +
      `subscriber (${Math.round(b).toLocaleString('en-US')} msg/s) in the same run; CPU per message ` +
      `${med(nr.map((x) => x.cpuUs)).toFixed(1)} µs (its process, every thread), station ` +
      `${med(st.map((x) => x.cpuUs)).toFixed(1)} µs; the machine was ${Math.round(med(nr.map((x) => x.busy)) * 100)} % ` +
      `busy during its rounds. Node-RED lost ${lost} of ${count} in the worst run (rows in its table against sent). ` +
      `Flow: mqtt in (QoS ${qos}, MQTT 5) → json → function (point from the topic, ts, value, quality) → ${store}, ` +
      `one commit per message into a table shaped as schema v8's telemetry_samples (a row per sample), WAL and synchronous=FULL ` +
      `as the station's store; a fresh Node-RED and database per run, ready once a probe sample was stored. ` +
      `Installed on demand into node_modules/.cache/plainview-bench (not a dependency).`,
  };
}

const med = (xs: number[]) => spread(xs).median;

/**
 * Why a rate target is missed, from this run's own accounting: when the machine is nearly
 * saturated in both rounds, each round's rate is its share of the same CPU, so the rate ratio
 * follows the CPU-per-message ratio (the next row); otherwise something other than CPU held the
 * station back (its commits' fsyncs, the acknowledgements waiting for them at QoS 1).
 */
function ingestWhy(st: Round[], base: Round[]): string {
  const busy = Math.min(med(st.map((x) => x.busy)), med(base.map((x) => x.busy)));
  const cpu = med(st.map((x) => x.cpuUs)) / med(base.map((x) => x.cpuUs));
  return busy >= 0.85
    ? `Why: the machine was at least ${Math.round(busy * 100)} % busy in both rounds (publisher, mosquitto and the ` +
        `subscriber share its cores), so the rate ratio follows the ratio of CPU per message, ${cpu.toFixed(2)}× here ` +
        '(next row): the station parses the same MQTT as the bare subscriber, then the JSON, the checks and the state ' +
        'on the main thread and packs the samples on the writer thread.'
    : `Why: the machine was not saturated (${Math.round(busy * 100)} % busy), so the station waited on something ` +
        'other than CPU: its commits (one journal record and an fsync each, the PUBACKs of QoS 1 waiting for them).';
}

/** Where the station's CPU per message goes, from a profile taken when the target was first measured. */
const CPU_WHY =
  'Why (node --cpu-prof of a 100,000-message QoS 0 flood into a station, 2026-12-04, on a shared machine): the main ' +
  "and writer threads were about equally busy. The writer thread's time: DayWriter.add 26 %, HistoryFile.pointId " +
  "18 % (every sample's point looked up by name; DayWriter.pointId around it 4 %), the day of every sample 5 % " +
  '(dayOf: a Date and an ISO string each), garbage collection 8 %, its SQLite commits 9 %: the batch arrives as ' +
  'columns of point numbers and SampleHost turns it into an object per sample first. The main thread: ingest ' +
  '(handle, sample, ownership, parseTopic: a quarter), garbage collection 14 %, the hand-off to the writer thread ' +
  '(postMessage 5 %). What would meet it: the writer thread packing the columns as they arrive (point numbers, not ' +
  'names; the day found once per batch), a change to src/main/history and sample-host.ts for their owners; then ' +
  "the main thread's ingest path, which the bare subscriber does not have.";

/** The station's CPU per message against the bare subscriber's (every thread of this process, per message stored or received). */
function cpuFigure(qos: 0 | 1, st: Round[], base: Round[]): Figure {
  const s = spread(st.map((x) => x.cpuUs));
  const b = spread(base.map((x) => x.cpuUs));
  const ratio = s.median / b.median;
  return {
    id: `ingest.qos${qos}.cpu`,
    what: `Ingest, QoS ${qos}: CPU per message`,
    unit: 'µs',
    station: s,
    baseline: { ...b, what: 'bare mqtt.js subscriber' },
    ratio,
    target: '≤ 1.5×',
    met: ratio <= 1.5,
    note:
      "CPU time of the process (user + system, every thread: the station's main and writer threads) during the " +
      "round ÷ messages stored (station) or received (bare subscriber), from the flood's start until the last one. " +
      `The machine was ${Math.round(med(st.map((x) => x.busy)) * 100)} % busy during the station's rounds.` +
      (ratio <= 1.5 ? '' : ` ${CPU_WHY}`),
  };
}

async function run(o: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const probes = { delays: [] as number[], rtts: [] as number[] };
  const install = nodeRed(o);
  for (const qos of [0, 1] as const) {
    const count = (qos === 0 ? 200_000 : 100_000) / (o.quick ? 5 : 1);
    const broker = await startMosquitto({
      // The site broker as DEPLOYMENT.md configures it.
      extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 1000'],
    });
    const pub = await PublisherProcess.start('publisher.ts', { url: broker.url, site: SITE, qos, topics: TOPICS });
    const base: Round[] = [];
    const st: Round[] = [];
    const nr: Round[] = [];
    try {
      for (let r = 0; r < o.runs; r++) {
        base.push(await baselineRound(broker, pub, qos, count));
        st.push(await stationRound(broker, pub, qos, count, probes));
        if (install) nr.push(await nodeRedRound(install, o.root, broker, pub, qos, count));
        o.log(
          `  QoS ${qos} run ${r + 1}: baseline ${Math.round(base.at(-1)!.rate)} msg/s, station ${Math.round(st.at(-1)!.rate)} msg/s (lost ${st.at(-1)!.lost})` +
            (install ? `, Node-RED ${Math.round(nr.at(-1)!.rate)} msg/s (lost ${nr.at(-1)!.lost})` : ''),
        );
      }
    } finally {
      await pub.stop();
      await broker.dispose();
    }
    const b = spread(base.map((x) => x.rate));
    const s = spread(st.map((x) => x.rate));
    const ratio = s.median / b.median;
    const lost = Math.max(...st.map((x) => x.lost));
    const target = qos === 1 ? 0.95 : 0.85;
    figures.push({
      id: `ingest.qos${qos}`,
      what: `Ingest, QoS ${qos} (${count.toLocaleString('en-US')} msgs over 5,000 topics)`,
      unit: 'msg/s',
      station: s,
      baseline: { ...b, what: 'bare mqtt.js subscriber' },
      ratio,
      target: qos === 1 ? '≥ 0.95×, zero loss' : '≥ 0.85×, every drop counted',
      met: ratio >= target && (qos === 1 ? lost === 0 : st.every((x) => x.lost === x.counted)),
      note:
        `station lost ${lost} of ${count} in the worst run${qos === 0 ? `; drops counted by the station: ${Math.max(...st.map((x) => x.counted))}` : ''}. ` +
        `CPU per message (median): station ${med(st.map((x) => x.cpuUs)).toFixed(1)} µs (main and writer threads), ` +
        `bare subscriber ${med(base.map((x) => x.cpuUs)).toFixed(1)} µs; the machine was ` +
        `${Math.round(med(st.map((x) => x.busy)) * 100)} % busy during the station's rounds and ` +
        `${Math.round(med(base.map((x) => x.busy)) * 100)} % during the baseline's (publisher, mosquitto and subscriber share its cores).` +
        (ratio >= target ? '' : ` ${ingestWhy(st, base)}`),
    });
    figures.push(cpuFigure(qos, st, base));
    if (install) figures.push(nodeRedFigure(install, qos, count, st, nr, base));
  }
  const d = spread(probes.delays);
  figures.push({
    id: 'responsiveness.eventloop',
    what: 'Event-loop delay p99 during the flood (per run)',
    unit: 'ms',
    station: d,
    target: '≤ 10 ms',
    met: d.max <= 10,
    note:
      d.max <= 10
        ? undefined
        : 'Why: what is left after the link hands the event loop back every 128 messages (src/main/field/link.ts) ' +
          'is the young-generation garbage collector (scavenges of 5 to 18 ms under the flood, node --trace-gc: ' +
          'every message leaves its packet, topic and parsed JSON behind) and the state commits on the main thread. ' +
          'What would meet it with margin: fewer objects per message (parsing the 120-byte sample without ' +
          'JSON.parse, reusing topic strings), or a larger young generation (--max-semi-space-size) for the main process.',
  });
  const rtt = percentile(probes.rtts, 99);
  figures.push({
    id: 'responsiveness.ipc',
    what: 'IPC-contract call round trip p99 during the flood',
    unit: 'ms',
    station: { median: rtt, min: percentile(probes.rtts, 50), max: Math.max(...probes.rtts), runs: probes.rtts.length },
    target: '≤ 10 ms',
    met: rtt <= 10,
    note: `${probes.rtts.length} calls; the spread shows p50–max.`,
  });
  return figures;
}

export const ingestBench: Bench = { id: 'ingest', title: 'Ingest and responsiveness', run };
