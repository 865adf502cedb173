import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, memorySink } from '../../src/main/log';
import { DataType, encodePayload, type MetricOut } from '../../src/main/sparkplug/codec';
import { SparkplugCounters } from '../../src/main/sparkplug/counters';
import { MAX_SPARKPLUG_BYTES, SparkplugHost } from '../../src/main/sparkplug/host';
import { startMosquitto } from '../helpers/brokers';
import { TestEdge } from '../helpers/sparkplug-edge';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

/** A small seeded generator: the same run every time, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

const VERBS = ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH', 'NCMD', 'STATE', 'BOGUS'] as const;

/** One malformed (or merely unexpected) Sparkplug message: random bytes, a cut valid payload, wrong types. */
function garbage(r: ReturnType<typeof rng>): { topic: string; payload: Buffer } {
  const verb = r.pick(VERBS);
  const node = `n${r.int(20)}`;
  const device = verb.startsWith('D') ? `/d${r.int(5)}` : '';
  const topic =
    verb === 'STATE'
      ? `spBv1.0/STATE/h${r.int(3)}`
      : verb === 'BOGUS'
        ? r.pick(['spBv1.0/g', 'spBv1.0/g/NDATA', 'spBv1.0/g/DDATA/n1', 'spBv1.0/g/NDATA/n1/d/x', 'other/topic'])
        : `spBv1.0/g/${verb}/${node}${device}`;
  const kind = r.int(6);
  if (kind === 0) return { topic, payload: Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256))) };
  const metrics: MetricOut[] = [];
  const n = r.int(6);
  for (let i = 0; i < n; i++) {
    const datatype = r.pick([DataType.Int32, DataType.Double, DataType.Boolean, DataType.String, DataType.UInt64]);
    const value = datatype === DataType.Boolean ? r.next() < 0.5 : datatype === DataType.String ? `s${i}` : r.int(1000);
    metrics.push({
      name: r.next() < 0.8 ? `m${r.int(8)}` : undefined,
      alias: r.next() < 0.7 ? r.int(10) : undefined,
      datatype,
      value,
    });
  }
  if (r.next() < 0.5) metrics.push({ name: 'bdSeq', datatype: DataType.UInt64, value: r.int(3) });
  const valid = Buffer.from(
    encodePayload({ timestamp: Date.now(), seq: r.next() < 0.9 ? r.int(300) : undefined, metrics }),
  );
  if (kind === 1) return { topic, payload: valid.subarray(0, r.int(valid.length)) }; // truncated
  if (kind === 2) {
    // Wrong types: rewrite datatype bytes (field 4, varint) to a random number, or flip a byte.
    const b = Buffer.from(valid);
    for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0x20 && r.next() < 0.5) b[i + 1] = r.int(128);
    if (b.length) b[r.int(b.length)] = r.int(256);
    return { topic, payload: b };
  }
  if (kind === 3 && r.next() < 0.01) return { topic, payload: Buffer.alloc(MAX_SPARKPLUG_BYTES + 1) };
  if (kind === 4)
    return {
      topic: `spBv1.0/STATE/h${r.int(3)}`,
      payload: Buffer.from(r.pick(['{', '{"online":1}', 'null', '[]', '{"online":true,"timestamp":"x"}'])),
    };
  return { topic, payload: valid }; // well-formed, but from nodes never born, with random seq, aliases and types
}

describe('the Sparkplug host under malformed payloads', () => {
  it('survives 100,000 malformed payloads fed to it; every one is counted once; a real node still works', () => {
    const sink = memorySink();
    const counters = new SparkplugCounters(createLogger({ level: 'warn', json: true, sinks: [sink] }), () => 0);
    const published: string[] = [];
    /** Nodes with a rebirth asked for and not yet answered (a birth or a death ends it). */
    const pending = new Set<string>();
    let twice = 0;
    const births: string[] = [];
    const host = new SparkplugHost({
      counters,
      log: createLogger({ level: 'error', json: true, sinks: [] }),
      publish: (topic) => {
        published.push(topic);
        const node = topic.split('/')[3]!;
        if (pending.has(node)) twice++;
        pending.add(node);
        return true;
      },
      // No window: every gap resolves at once, so every message has its outcome when handle returns.
      reorderTimeoutMs: 0,
      now: () => Date.now(),
      monotonic: () => 0,
      events: {
        onBirth: (n, d) => births.push(`${n.node}/${d?.id ?? ''}`),
        onData: () => undefined,
        onOnline: () => undefined,
        onState: () => undefined,
      },
    });
    const good = (seq: number, metrics: MetricOut[]) =>
      Buffer.from(encodePayload({ timestamp: Date.now(), seq, metrics }));
    host.handle(
      'spBv1.0/g/NBIRTH/real',
      good(0, [
        { name: 'bdSeq', datatype: DataType.UInt64, value: 1 },
        { name: 'Pressure', alias: 1, datatype: DataType.Double, value: 1 },
      ]),
    );

    const r = rng(17);
    const N = 100_000;
    const inputs = Array.from({ length: N }, () => garbage(r));
    let threw = 0;
    const started = performance.now();
    for (const g of inputs) {
      try {
        host.handle(g.topic, g.payload);
      } catch {
        threw++;
      }
      const node = host.nodes.get(`g/${g.topic.split('/')[3]}`);
      if (node && node.rebirthAt === null) pending.delete(node.node);
    }
    const ms = performance.now() - started;
    expect(threw).toBe(0);

    // The real node is untouched by the garbage around it.
    host.handle('spBv1.0/g/NDATA/real', good(1, [{ alias: 1, datatype: DataType.Double, value: 2 }]));
    expect(host.nodes.get('g/real')!.metrics.get('Pressure')!.value).toBe(2);

    const taken = counters.total(counters.accepted);
    const setAside = counters.total(counters.rejected);
    // Every message, the two real ones included, is counted exactly once.
    expect(taken + setAside).toBe(N + 2);
    expect(setAside).toBeGreaterThan(N * 0.5);
    expect(counters.rejected.get('apply_failed NDATA') ?? 0).toBe(0);
    for (const key of counters.rejected.keys()) expect(key).not.toMatch(/^apply_failed/);
    // Counters are keyed by reason and message type, not by topic: bounded however wild the input.
    expect(counters.rejected.size).toBeLessThan(120);
    // At most one pending rebirth per node: never asked twice before a birth or death answers.
    expect(counters.rebirthsRequested).toBeGreaterThan(0);
    expect(twice).toBe(0);
    expect(published.length).toBe(counters.rebirthsRequested);
    // Logged at a limited rate: far fewer lines than messages.
    expect(sink.lines.length).toBeLessThan(200);
    // eslint-disable-next-line no-console -- a measurement for the record, not an assertion
    console.info(
      `sparkplug fuzz: ${N} payloads in ${ms.toFixed(0)} ms (${((ms * 1000) / N).toFixed(1)} µs each); taken ${taken}, set aside ${setAside}`,
    );
  }, 120_000);

  it('over the broker: garbage beside a real Tahu edge node is counted, and the node stays good', async () => {
    const broker = await startMosquitto();
    const dir = tempDir();
    const file = path.join(dir, 'mapping.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        devices: [
          {
            group: 'plant',
            node: 'edge-1',
            device: 'valve-a',
            valve: { id: 'v-201', name: 'Valve', segment: 'seg-01', state: 'State', position: 'Position' },
          },
        ],
      }),
    );
    const t = testStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_SPARKPLUG_HOST_ID: 'pv-fuzz',
      PLAINVIEW_SPARKPLUG_GROUPS: 'plant',
      PLAINVIEW_SPARKPLUG_MAPPING_FILE: file,
    });
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const sp = () => t.station.running().sparkplug!;
    await waitFor(() => sp().link.online, 'host online', 90_000);
    const edge = new TestEdge(broker.url);
    cleanups.push(() => edge.kill());
    const valve = () => t.station.running().field.state.valveView('v-201');
    await waitFor(() => valve()?.quality === 'good', 'the valve good', 90_000);

    const counted = () => sp().counters.total(sp().counters.accepted) + sp().counters.total(sp().counters.rejected);
    const before = counted();
    const client = await mqtt.connectAsync(broker.url);
    cleanups.push(() => client.endAsync(true));
    const r = rng(5);
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const g = garbage(r);
      // Into the subscribed group, on other nodes than the real one (whose seq the garbage would break).
      const topic = g.topic.replace(/^spBv1\.0\/g\//, 'spBv1.0/plant/').replace('/STATE/', '/STATE/');
      await client.publishAsync(topic, g.payload, { qos: 1 });
    }
    // Everything into the group reached the host (QoS 1 both ways): each counted once. Topics
    // outside the group (other/topic, spBv1.0/g) are not subscribed; the STATE ones are not ours
    // but spBv1.0/STATE/<other host> is outside the group subscription too.
    const inGroup = (() => {
      const r2 = rng(5);
      let n = 0;
      for (let i = 0; i < N; i++) if (garbage(r2).topic.startsWith('spBv1.0/g/')) n++;
      return n;
    })();
    await waitFor(() => counted() - before >= inGroup, `${inGroup} messages counted`, 90_000);
    // The node's traffic goes on as before.
    edge.move(100);
    await waitFor(() => valve()?.state === 'open' && valve()?.quality === 'good', 'the valve open and good', 90_000);
    expect(t.station.running().field.counters.totalRejected()).toBe(0);
  }, 180_000);
});
