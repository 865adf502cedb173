import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../src/shared/protocol';
import { startMosquitto } from '../helpers/brokers';
import { countSamples } from '../helpers/history';
import { testStation } from '../helpers/station';
import { waitFor, waitForCount } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Garbage of every kind a broken or hostile publisher could send, built once. */
function garbagePool(): Buffer[] {
  let seed = 11;
  const rnd = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
  const kinds: (() => string | Buffer)[] = [
    () => Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))),
    () => JSON.stringify({ v: 2, ts: 'now', value: 'x' }),
    () => JSON.stringify({ v: 99, ts: '2026-11-25T10:00:00.000Z', value: 1 }),
    () => JSON.stringify({ ts: '2026-11-25T10:00:00.000Z', value: 1 }),
    () => `${'['.repeat(5000)}1${']'.repeat(5000)}`,
    () => 'y'.repeat(100 * 1024),
    () => JSON.stringify({ v: 2, gateway: 'gw-1', state: 'open', position: 500 }),
    () => '{"v":2,"ts":"2026-11-25T10:00:00.000Z","value":1e999}',
  ];
  return Array.from({ length: 256 }, (_, i) => {
    const b = kinds[i % kinds.length]!();
    return Buffer.isBuffer(b) ? b : Buffer.from(b);
  });
}

describe('garbage over a real broker', () => {
  it('100,000 fuzzed payloads on real topics: the station stays up, counts every one, and ingests all valid traffic between them', async () => {
    const broker = await startMosquitto({ extraConfig: ['max_queued_messages 0', 'max_inflight_messages 100'] });
    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '5' });
    await t.station.start();
    cleanups.push(() => t.station.stop());
    await waitFor(() => t.station.running().field.link.online, 'online');

    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => pub.endAsync(true));
    const pool = garbagePool();
    const targets = [
      topics.valveState('north', 'gw-1', 'v-1'),
      topics.telemetry('north', 'gw-1', 'p-1'),
      topics.alert('north', 'a-1'),
      topics.site('north'),
      topics.pointMeta('north', 'gw-1', 'p-1'),
    ];
    // Recent samples: older ones would be raw history past its retention (7 days) and pruned.
    const base = Date.now() - 3_600_000;
    let valid = 0;
    const CHUNK = 2000;
    for (let i = 0; i < 100_000; i += CHUNK) {
      const sends: Promise<unknown>[] = [];
      for (let j = i; j < i + CHUNK; j++) {
        sends.push(pub.publishAsync(targets[j % targets.length]!, pool[j % pool.length]!, { qos: 1 }));
        if (j % 100 === 0) {
          const body = JSON.stringify({
            v: 2,
            ts: new Date(base + valid * 1000).toISOString(),
            value: valid,
            quality: 'good',
          });
          sends.push(pub.publishAsync(topics.telemetry('north', 'gw-1', 'p-ok'), body, { qos: 1 }));
          valid++;
        }
      }
      await Promise.all(sends);
    }
    const field = t.station.running().field;
    // 100,000 messages through a real broker take minutes on a loaded machine: wait while the
    // counts move, fail when they stop short.
    await waitForCount(() => field.counters.totalRejected(), 100_000, 'bad messages counted');
    const dataDir = path.dirname(t.station.running().store.db.name);
    await waitForCount(() => countSamples(dataDir, (p) => p === 'p-ok'), valid, 'valid samples stored');
    expect(field.counters.snapshot().accepted.telemetry).toBe(valid);
    expect(t.station.running().store.db.prepare('SELECT count(*) AS n FROM valves').get()).toEqual({ n: 0 });
    expect(t.station.health.get().checks.mqtt).toBe('ok');
    expect(field.link.online).toBe(true);
  }, 900_000);
});
