/**
 * 3. Actuation overhead (issue 9): from `operate()` (the IPC handler the console calls) to
 * mosquitto delivering the valve command to a subscriber, against a bare mqtt.js publish of
 * the same payload (QoS 1, the same expiry property) to a topic of the same length, received
 * by the same subscriber, measured alternately in the same run. Overhead = station − baseline,
 * per percentile. A third series sends the same payload through the station's own MQTT
 * connection (FieldLink.publish, to the baseline's topic, so no valve moves) without the
 * actuation service: it splits the overhead between the connection and the service (checks,
 * the command and audit rows committed before sending). A fourth is the floor of any
 * fail-closed sender: one durable commit of one row on the same disk (WAL, synchronous=FULL,
 * in the station's data folder), then the bare publish. The target (issue 20) is operate()'s
 * p99 overhead above that floor; the note also gives it by arithmetic.
 *
 * The field simulator and the subscriber run in processes of their own, so neither's work
 * lands on the measured event loop; the subscriber stamps arrivals with the system's
 * monotonic clock (process.hrtime, the same in every process on Linux). Each measurement
 * starts once the previous command is over and just after a field message reached the
 * station, as on a live site where telemetry arrives all the time.
 *
 * The station's throttles (10 commands a minute, 5 s between two commands to one valve) are
 * lifted for this measurement only, through PLAINVIEW_ACTUATIONS_PER_MINUTE and
 * PLAINVIEW_VALVE_COOLDOWN_SEC; every other check runs as in production.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { CommandState } from '../src/shared/actuation';
import { topics, type ValveCommandMessage } from '../src/shared/protocol';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { openConnection } from '../src/main/store/connection';
import { startMosquitto } from '../tests/helpers/broker-procs';
import type { Bench, BenchOptions } from './lib/bench';
import type { Figure } from './lib/report';
import { percentile, spread } from './lib/stats';
import { SITE, sleep, startStation, waitUntil, type BenchStation } from './lib/stations';

const VALVES = 24;
/** The baseline's site: same length as SITE, so the topic is as long and the simulator ignores it. */
const BARE_SITE = 'bare0';
const FINAL: CommandState[] = ['completed', 'failed', 'rejected', 'expired', 'timed_out', 'unknown', 'cancelled'];

interface RunResult {
  station: number[];
  /** The same payload through the station's MQTT connection (FieldLink.publish), no actuation service. */
  link: number[];
  bare: number[];
  /** The fail-closed floor: one durable commit of one row, then the bare publish. */
  floor: number[];
  /** The durable commit alone, within `floor`. */
  commit: number[];
}

/** The monotonic clock in milliseconds, comparable with the subscriber process's stamps. */
const clock = () => Number(process.hrtime.bigint()) / 1e6;

/** Arrival times of command ids at the subscriber process, in `clock()` milliseconds. */
class Arrivals {
  private readonly waiting = new Map<string, (at: number) => void>();
  private readonly early = new Map<string, number>();

  onMessage = (m: { id?: string; at?: string }): void => {
    if (!m.id || !m.at) return;
    const at = Number(BigInt(m.at)) / 1e6;
    const w = this.waiting.get(m.id);
    if (w) {
      this.waiting.delete(m.id);
      w(at);
    } else this.early.set(m.id, at);
  };

  of(id: string, timeoutMs = 5_000): Promise<number> {
    const at = this.early.get(id);
    if (at !== undefined) {
      this.early.delete(id);
      return Promise.resolve(at);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`command ${id} never reached the subscriber`)), timeoutMs);
      this.waiting.set(id, (at) => (clearTimeout(t), resolve(at)));
    });
  }
}

async function measure(
  st: BenchStation,
  bare: mqtt.MqttClient,
  gateway: mqtt.MqttClient,
  arrivals: Arrivals,
  probe: DurableProbe,
  warmup: number,
  count: number,
): Promise<RunResult> {
  const { handlers } = st.station;
  const { actuation, field } = st.running;
  const out: RunResult = { station: [], link: [], bare: [], floor: [], commit: [] };
  const valves = field.state.valveList().map((v) => v.id);
  /** The command is over, the valve rests and the station has taken the field's last words. */
  const settled = async (valve: string, command: string) => {
    await waitUntil(
      () =>
        FINAL.includes(actuation.commands.get(command)!.state) &&
        ['open', 'closed'].includes(field.state.valveView(valve)!.state),
      `${valve} to be free`,
      10_000,
      1,
    );
    await sleep(3);
  };
  /**
   * Every measurement starts as on a live site: a field message has just reached the station
   * and been acknowledged (a sample at QoS 1, written, its PUBACK sent), then 3 ms of quiet.
   */
  let seq = 0;
  const fieldTalks = async () => {
    const written = field.counters.written;
    const sample = { v: 2, ts: new Date(Date.now() + seq++).toISOString(), value: seq % 100, quality: 'good' };
    await gateway.publishAsync(topics.telemetry(SITE, 'gw-bench', 'p-bench'), JSON.stringify(sample), { qos: 1 });
    await waitUntil(() => field.counters.written > written, 'the sample written', 10_000, 1);
    await sleep(3);
  };
  for (let i = 0; i < warmup + count; i++) {
    const valve = valves[i % valves.length]!;
    const action = field.state.valveView(valve)!.state === 'closed' ? 'open' : 'close';
    const ctx = { requestId: `bench-${i}`, senderUrl: 'bench://' };
    const sel = await handlers['actuation.select']({ valveId: valve, action }, ctx);
    if (!sel.ok) throw new Error(`select ${valve} refused: ${sel.refusal.code} ${sel.refusal.message}`);

    const timeStation = async () => {
      await fieldTalks();
      const t0 = clock();
      const arrived = arrivals.of(sel.value.id);
      const op = await handlers['actuation.operate']({ selectionId: sel.value.id }, ctx);
      if (!op.ok) throw new Error(`operate ${valve} refused: ${op.refusal.code} ${op.refusal.message}`);
      const dt = (await arrived) - t0;
      await settled(valve, sel.value.id);
      return dt;
    };
    /** The same payload as the station sends, to the baseline's topic, through `send`. */
    const timePublish = async (send: (topic: string, payload: string) => Promise<unknown>) => {
      await fieldTalks();
      const t0 = clock();
      const now = new Date();
      const message: ValveCommandMessage = {
        v: 2,
        id: randomUUID(),
        valve,
        action,
        position: null,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + st.config.commandExpirySec * 1000).toISOString(),
        operator: 'bench',
        station: st.config.stationId,
      };
      const arrived = arrivals.of(message.id);
      await send(topics.valveCommand(BARE_SITE, 'gw-1', valve), JSON.stringify(message));
      return (await arrived) - t0;
    };
    const expirySec = st.config.commandExpirySec;
    const publishBare = (topic: string, payload: string) =>
      bare.publishAsync(topic, payload, { qos: 1, retain: false, properties: { messageExpiryInterval: expirySec } });
    const timeBare = () => timePublish(publishBare);
    // What any fail-closed sender must do at least: make one row durable, then publish.
    let commitMs = 0;
    const timeFloor = () =>
      timePublish((topic, payload) => {
        commitMs = probe.commit();
        return publishBare(topic, payload);
      });
    // The station's own MQTT connection, without the actuation service: splits the overhead.
    const timeLink = () =>
      timePublish((topic, payload) =>
        field.link.publish(topic, payload, { retain: false, expirySec, valveCommand: true }),
      );
    // Rotate the order, so none always meets a just-woken event loop or a just-busy socket.
    const order = [
      ['station', timeStation],
      ['link', timeLink],
      ['bare', timeBare],
      ['floor', timeFloor],
    ] as const;
    const took: Record<string, number> = {};
    for (let k = 0; k < order.length; k++) {
      const [name, time] = order[(i + k) % order.length]!;
      took[name] = await time();
    }
    if (i >= warmup) {
      out.station.push(took.station!);
      out.link.push(took.link!);
      out.bare.push(took.bare!);
      out.floor.push(took.floor!);
      out.commit.push(commitMs);
    }
  }
  return out;
}

/**
 * The disk's own floor: one durable commit (WAL, synchronous=FULL, as the store opens it) of
 * one row, in the data folder's file system. The service commits the command and its audit
 * row before sending (fail closed), so no operate() can be faster than this and a publish.
 */
class DurableProbe {
  private readonly file: string;
  private readonly db: ReturnType<typeof openConnection>;
  private readonly insert: Statement;
  private n = 0;

  constructor(dir: string) {
    this.file = path.join(dir, 'fsync-probe.db');
    this.db = openConnection(this.file);
    this.db.exec('CREATE TABLE t (v INTEGER)');
    this.insert = this.db.prepare('INSERT INTO t VALUES (?)');
  }

  /** One row committed durably; returns the milliseconds it took. */
  commit(): number {
    const t0 = performance.now();
    this.insert.run(this.n++);
    return performance.now() - t0;
  }

  close(): void {
    this.db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(this.file + suffix, { force: true });
  }
}

async function run(o: BenchOptions): Promise<Figure[]> {
  const count = o.quick ? 50 : 200;
  const warmup = o.quick ? 10 : 20;
  const broker = await startMosquitto();
  const cleanups: (() => Promise<unknown>)[] = [() => broker.dispose()];
  try {
    const st = await startStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
      // Lifted for the measurement only (see the top of this file).
      PLAINVIEW_ACTUATIONS_PER_MINUTE: '1000000',
      PLAINVIEW_VALVE_COOLDOWN_SEC: '0',
    });
    cleanups.unshift(() => st.stop());
    // The simulator in its own process: its work on each command must not run on this event loop.
    const sim = fork(path.join(__dirname, 'lib', 'sim-process.ts'), [], { execArgv: ['--import', 'tsx'] });
    cleanups.unshift(async () => {
      sim.send({ cmd: 'stop' });
      await new Promise((resolve) => sim.once('exit', resolve));
    });
    sim.send({
      brokerUrl: broker.url,
      site: SITE,
      demo: false,
      valves: VALVES,
      rate: 0,
      strokeMs: 1,
      protocolVersion: 5,
    });
    await new Promise((resolve) => sim.once('message', resolve));
    await waitUntil(
      () =>
        st.running.field.link.online &&
        st.running.field.state.valveList().length === VALVES &&
        st.running.field.state.valveList().every((v) => v.quality === 'good'),
      'the simulated valves, fresh and good',
    );
    // The subscriber in its own process too: the station's event loop, busy with the field's
    // answer to the command, must not delay the moment the command is seen to arrive.
    const arrivals = new Arrivals();
    const sub = fork(path.join(__dirname, 'lib', 'subscriber-process.ts'), [], { execArgv: ['--import', 'tsx'] });
    cleanups.unshift(async () => {
      sub.send({ cmd: 'stop' });
      await new Promise((resolve) => sub.once('exit', resolve));
    });
    sub.send({
      url: broker.url,
      topics: [topics.valveCommand(SITE, '+', '+'), topics.valveCommand(BARE_SITE, '+', '+')],
    });
    await new Promise((resolve) => sub.once('message', resolve));
    sub.on('message', arrivals.onMessage);
    const bare = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
    cleanups.unshift(() => bare.endAsync(true));
    const gateway = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
    cleanups.unshift(() => gateway.endAsync(true));

    const probe = new DurableProbe(st.dir);
    cleanups.unshift(async () => probe.close());
    const runs: RunResult[] = [];
    for (let r = 0; r < o.runs; r++) {
      runs.push(await measure(st, bare, gateway, arrivals, probe, r === 0 ? warmup : 5, count));
      const x = runs.at(-1)!;
      o.log(
        `  run ${r + 1}: p50 / p99 ms: station ${pp(x.station)}, station's MQTT connection alone ${pp(x.link)}, ` +
          `bare ${pp(x.bare)}, durable commit + bare ${pp(x.floor)} (the commit alone ${pp(x.commit)})`,
      );
    }
    const p = (q: number) => {
      const of = (k: keyof RunResult) => spread(runs.map((x) => percentile(x[k], q)));
      return {
        station: of('station'),
        link: of('link'),
        bare: of('bare'),
        floor: of('floor'),
        commit: of('commit'),
        overhead: spread(runs.map((x) => percentile(x.station, q) - percentile(x.floor, q))),
        /** The same target by arithmetic: (operate − bare publish) − one durable commit, per run. */
        sum: spread(runs.map((x) => percentile(x.station, q) - percentile(x.bare, q) - percentile(x.commit, q))),
      };
    };
    const p50 = p(50);
    const p99 = p(99);
    const ratio = p99.station.median - p99.floor.median;
    const ms = (s: { median: number }) => s.median.toFixed(2);
    return [
      {
        id: 'actuation.overhead',
        what: `Actuation: operate() to the subscriber, p99 (${count} commands per run over ${VALVES} valves)`,
        unit: 'ms',
        station: p99.station,
        baseline: {
          ...p99.floor,
          what: 'one durable commit of one row on the same disk, then a bare mqtt.js QoS 1 publish of the same payload',
        },
        ratio,
        target: 'p99 overhead ≤ 2 ms above one durable commit of one row (same run)',
        met: ratio <= 2,
        note:
          `the ratio column is the overhead (station − baseline) of the p99s; per run ${fmtSpread(p99.overhead)} ms, ` +
          `p50 ${fmtSpread(p50.overhead)} ms. The same by arithmetic, (operate p99 − bare publish p99) − durable commit ` +
          `p99: (${ms(p99.station)} − ${ms(p99.bare)}) − ${ms(p99.commit)} = ${fmtSpread(p99.sum)} ms per run. ` +
          `Where it goes (p50 / p99, medians of runs): one durable commit of one row (WAL, synchronous=FULL, in the ` +
          `station's data folder) ${ms(p50.commit)} / ${ms(p99.commit)} ms; bare publish ${ms(p50.bare)} / ${ms(p99.bare)} ms; ` +
          `the commit then the bare publish ${ms(p50.floor)} / ${ms(p99.floor)} ms; the same payload through the ` +
          `station's own MQTT connection (FieldLink.publish, no actuation service) ${ms(p50.link)} / ${ms(p99.link)} ms; ` +
          `operate() ${ms(p50.station)} / ${ms(p99.station)} ms. ` +
          why(p50.link.median - p50.bare.median, ratio) +
          `Throttles lifted for the measurement only (PLAINVIEW_ACTUATIONS_PER_MINUTE, PLAINVIEW_VALVE_COOLDOWN_SEC).`,
      },
    ];
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

/**
 * Why a miss, from the profiles taken when the target was first missed (2026-11-25) and the
 * timings taken inside operate() after its commit moved to prepared statements (2026-12-04):
 * the connection's share shows Nagle's algorithm; what is left is the fail-closed commit.
 */
function why(connectionMs: number, overheadP99: number): string {
  if (overheadP99 <= 2) return '';
  const nagle =
    connectionMs > 5
      ? `Why: the station's MQTT socket (src/main/field/link.ts) leaves Nagle's algorithm on, so a command written while ` +
        `the PUBACK of the last field message is not yet acknowledged waits for the broker's delayed ACK (about 40 ms): ` +
        `the connection alone costs as much as operate(); a CPU profile (node --cpu-prof) shows the main thread idle ` +
        `(74 %) meanwhile. With TCP_NODELAY forced, operate() measured p50 2.3 / p99 5–9 ms against 0.4 / 2 ms bare. ` +
        `Fix: socket.setNoDelay(true) in link.ts. `
      : '';
  return (
    (nagle ? `${nagle}What remains is` : 'Why: the overhead is') +
    ` the size of the fail-closed commit, not its CPU: the command's step (its row and two of its indexes), the ` +
    `transition row and its index, and the audit row and its index are about seven pages in one WAL commit with one ` +
    `fsync, against the one-row commit's one. Timed inside operate() on a busy machine (2026-12-04), that commit took ` +
    `p50 1.2–2.4 ms against 0.7–1.1 ms for the one-row commit in the same runs, and the publish after it was slower ` +
    `too (the PUBACK p50 3 ms after the send, against about 1 ms for a publish with no commit before it), probably the ` +
    `file system finishing the flush on the two cores mosquitto and the subscriber share (not profiled). The commit's CPU is about 0.12 ms since its ` +
    `statements are prepared once (0.25 ms with the queries built by kysely on each call; synchronous=OFF, ` +
    `3,000 commits). What would meet it: fewer pages per command (a schema change for the maintainers: fewer indexes ` +
    `on the tables a command writes) or faster durable storage; not a change to the fail-closed rule (docs/safety.md). `
  );
}

const pp = (xs: number[]) => `${percentile(xs, 50).toFixed(2)} / ${percentile(xs, 99).toFixed(2)}`;
const fmtSpread = (s: { median: number; min: number; max: number }) =>
  `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

export const actuationBench: Bench = { id: 'actuation', title: 'Actuation overhead', run };
