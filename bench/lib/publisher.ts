/**
 * A field flood, in its own process so it does not share the measured process's event loop:
 * telemetry samples of 120 bytes over `topics` points, as fast as the broker takes them.
 * Driven by its parent over IPC: `{cmd: 'go', count}` → `{done, startedAt, endedAt, sent}`.
 */
import mqtt from 'mqtt';
import { topics as t } from '../../src/shared/protocol';
import { recentBase, samplePayload } from './sample-payload';

interface Setup {
  url: string;
  site: string;
  qos: 0 | 1;
  topics: number;
  /** The first flood's sample times start an hour after this (ms); default: 12 hours ago. */
  base?: number;
}

const WINDOW = 2_000; // QoS 1 publishes awaiting their PUBACK at once

async function main(): Promise<void> {
  const setup = await new Promise<Setup>((resolve) => process.once('message', (m) => resolve(m as Setup)));
  const client = await mqtt.connectAsync(setup.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  // A publisher that lost its broker would wait forever for its last publish: exit, and the
  // parent fails the round saying so.
  client.on('close', () => process.exit(3));
  const names = Array.from({ length: setup.topics }, (_, i) =>
    t.telemetry(setup.site, 'gw-bench', `p-${String(i).padStart(5, '0')}`),
  );
  // Point meta, retained, so the points are known before the flood (as a gateway does at birth).
  await Promise.all(
    names.map((_, i) =>
      client.publishAsync(
        t.pointMeta(setup.site, 'gw-bench', `p-${String(i).padStart(5, '0')}`),
        JSON.stringify({ v: 2, gateway: 'gw-bench', kind: 'pressure', unit: 'bar' }),
        { qos: 1, retain: true },
      ),
    ),
  );
  process.send!({ ready: true });
  let seq = 0;
  // Recent times: the station stores nothing older than its raw retention (7 days by default).
  let base = setup.base ?? recentBase();
  process.on('message', (m: { cmd: string; count: number }) => {
    if (m.cmd === 'stop') {
      client.removeAllListeners('close');
      return void client.endAsync().then(() => process.exit(0));
    }
    void flood(m.count);
  });

  async function flood(count: number): Promise<void> {
    const startedAt = Date.now();
    base += 3_600_000; // every round writes new rows
    if (setup.qos === 0) {
      for (let i = 0; i < count; i++) {
        seq++;
        const last = i === count - 1;
        // Every 5,000th (and the last) waits until written, so the flood never piles up in memory.
        if (i % 5_000 === 4_999 || last)
          await new Promise<void>((resolve) =>
            client.publish(names[seq % names.length]!, samplePayload(seq, base + i), { qos: 0 }, () => resolve()),
          );
        else client.publish(names[seq % names.length]!, samplePayload(seq, base + i), { qos: 0 });
      }
    } else {
      const pending = new Set<Promise<unknown>>();
      for (let i = 0; i < count; i++) {
        seq++;
        const p = client.publishAsync(names[seq % names.length]!, samplePayload(seq, base + i), { qos: 1 });
        pending.add(p);
        void p.finally(() => pending.delete(p));
        if (pending.size >= WINDOW) await Promise.race(pending);
      }
      await Promise.all(pending);
    }
    process.send!({ done: true, startedAt, endedAt: Date.now(), sent: count });
  }
}

void main();
