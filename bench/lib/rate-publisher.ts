/**
 * A paced field publisher, in its own process so it does not share the measured process's
 * event loop: a steady `rate` of messages per second (not a flood as fast as the broker
 * takes them, which is bench/lib/publisher.ts), either
 * - `telemetry`: 120-byte samples over `topics` points (with their retained point meta first), or
 * - `valves`: valve-state messages for the given valves, each message a real change (the valve
 *   steps through opening → open → closing → closed with its position), valves in a shuffled
 *   round robin so every valve changes once per `valves.length / rate` seconds.
 *
 * Driven by its parent over IPC: `{cmd: 'go'}` starts (or resumes), `{cmd: 'pause'}` stops
 * publishing, `{cmd: 'stats'}` answers `{stats: {sent, acked, behind, at}}`, `{cmd: 'stop'}`
 * disconnects and exits. QoS 1 keeps at most `WINDOW` publishes awaiting their PUBACK; when
 * the broker or subscribers cannot keep up, the publisher falls behind the rate and says so
 * (`behind`: messages owed against the schedule) instead of queueing without bound.
 */
import mqtt from 'mqtt';
import { topics as t } from '../../src/shared/protocol';
import { samplePayload } from './sample-payload';

export interface BenchValve {
  id: string;
  name: string;
  segment: string;
  gateway: string;
  supportsPosition: boolean;
}

export type RateSetup = {
  url: string;
  site: string;
  qos: 0 | 1;
  /** Messages per second. */
  rate: number;
} & ({ kind: 'telemetry'; topics: number } | { kind: 'valves'; valves: BenchValve[] });

export interface RateStats {
  sent: number;
  /** QoS 1: PUBACKs received (QoS 0: written to the socket). */
  acked: number;
  /** Messages owed against the schedule when the stats were taken. */
  behind: number;
  at: number;
}

const WINDOW = 1_000;
const TICK_MS = 5;
const STEPS = [
  { state: 'opening', position: 50 },
  { state: 'open', position: 100 },
  { state: 'closing', position: 50 },
  { state: 'closed', position: 0 },
] as const;

function shuffled<T>(items: readonly T[]): T[] {
  const a = [...items];
  let seed = 9;
  for (let i = a.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function main(): Promise<void> {
  const setup = await new Promise<RateSetup>((resolve) => process.once('message', (m) => resolve(m as RateSetup)));
  const client = await mqtt.connectAsync(setup.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  const stats: RateStats = { sent: 0, acked: 0, behind: 0, at: 0 };
  let next: (seq: number) => [string, string];

  if (setup.kind === 'telemetry') {
    const ids = Array.from({ length: setup.topics }, (_, i) => `p-${String(i).padStart(5, '0')}`);
    const names = ids.map((id) => t.telemetry(setup.site, 'gw-bench', id));
    await Promise.all(
      ids.map((id) =>
        client.publishAsync(
          t.pointMeta(setup.site, 'gw-bench', id),
          JSON.stringify({ v: 2, gateway: 'gw-bench', kind: 'pressure', unit: 'bar' }),
          { qos: 1, retain: true },
        ),
      ),
    );
    next = (seq) => [names[seq % names.length]!, samplePayload(seq, Date.now())];
  } else {
    const order = shuffled(setup.valves);
    const topics = order.map((v) => t.valveState(setup.site, v.gateway, v.id));
    // Each valve starts from the simulator's resting state and moves one step per visit.
    const step = new Map(order.map((v) => [v.id, 0]));
    next = (seq) => {
      const i = seq % order.length;
      const v = order[i]!;
      const k = step.get(v.id)!;
      step.set(v.id, k + 1);
      const s = STEPS[k % STEPS.length]!;
      const msg = {
        v: 2,
        ts: new Date().toISOString(),
        gateway: v.gateway,
        name: v.name,
        segment: v.segment,
        state: s.state,
        position: v.supportsPosition ? s.position : s.position === 100 ? 100 : 0,
        quality: 'good',
        localControl: false,
        supportsPosition: v.supportsPosition,
        fault: null,
      };
      return [topics[i]!, JSON.stringify(msg)];
    };
  }
  process.send!({ ready: true });

  let timer: NodeJS.Timeout | null = null;
  let pending = 0;
  let startedAt = 0;
  let owedAtStart = 0;

  const publishOne = (): void => {
    const [topic, payload] = next(stats.sent++);
    if (setup.qos === 0) {
      client.publish(topic, payload, { qos: 0 }, () => void stats.acked++);
      return;
    }
    pending++;
    client.publish(topic, payload, { qos: 1 }, () => {
      pending--;
      stats.acked++;
    });
  };

  const tick = (): void => {
    const due = owedAtStart + Math.floor(((performance.now() - startedAt) / 1000) * setup.rate);
    while (stats.sent < due && (setup.qos === 0 || pending < WINDOW)) publishOne();
    stats.behind = Math.max(0, due - stats.sent);
  };

  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'go' && !timer) {
      startedAt = performance.now();
      owedAtStart = stats.sent;
      timer = setInterval(tick, TICK_MS);
    } else if (m.cmd === 'pause' && timer) {
      clearInterval(timer);
      timer = null;
    } else if (m.cmd === 'stats') {
      process.send!({ stats: { ...stats, at: Date.now() } });
    } else if (m.cmd === 'stop') {
      if (timer) clearInterval(timer);
      void client.endAsync().then(() => process.exit(0));
    }
  });
}

void main();
