/**
 * Steady telemetry at a set rate (bench/lib/publisher.ts floods as fast as the broker takes
 * it), in its own process: 120-byte samples at QoS 1 over `topics` points whose descriptions
 * are already retained on the broker. Driven over IPC: `{cmd: 'go', seconds}` publishes
 * `rate` samples a second for that long and answers `{done, sent, seconds}` (more seconds than
 * asked: the broker or the station could not keep up); `{cmd: 'stop'}`.
 */
import mqtt from 'mqtt';
import { topics as t } from '../../src/shared/protocol';
import { recentBase, samplePayload } from './sample-payload';

interface Setup {
  url: string;
  site: string;
  topics: number;
  rate: number;
  /** Sample times start an hour after this (ms); default as the flood publisher's. */
  base?: number;
}

const WINDOW = 1_000;
const TICK_MS = 5;

async function main(): Promise<void> {
  const setup = await new Promise<Setup>((resolve) => process.once('message', (m) => resolve(m as Setup)));
  const client = await mqtt.connectAsync(setup.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  const names = Array.from({ length: setup.topics }, (_, i) =>
    t.telemetry(setup.site, 'gw-bench', `p-${String(i).padStart(5, '0')}`),
  );
  process.send!({ ready: true });
  let seq = 0;
  // Sample times half an hour apart from the flood publisher's (each of its floods lasts
  // minutes of sample time), one millisecond apart: never a duplicate.
  let base = (setup.base ?? recentBase()) + 1_800_000;
  process.on('message', (m: { cmd: string; seconds: number }) => {
    if (m.cmd === 'stop') return void client.endAsync().then(() => process.exit(0));
    void paced(m.seconds);
  });

  async function paced(seconds: number): Promise<void> {
    base += 3_600_000;
    const started = performance.now();
    const total = Math.round(setup.rate * seconds);
    const pending = new Set<Promise<unknown>>();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * setup.rate));
      while (sent < due && pending.size < WINDOW) {
        seq++;
        const p = client.publishAsync(names[seq % names.length]!, samplePayload(seq, base + sent), { qos: 1 });
        pending.add(p);
        void p.finally(() => pending.delete(p));
        sent++;
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(pending);
    process.send!({ done: true, sent, seconds: (performance.now() - started) / 1000 });
  }
}

void main();
