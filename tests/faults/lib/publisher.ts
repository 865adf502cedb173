import { storedSamples } from '../../helpers/history';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../../../src/shared/protocol';

export interface PublisherOptions {
  url: string;
  site?: string;
  /** Distinct point ids the samples rotate over. */
  points?: number;
  /** Samples a second (approximately; sent in ticks of 20 ms). */
  rate?: number;
  clientId?: string;
  protocolVersion?: 4 | 5;
  /** Publishes in flight at most (back-pressure when the broker is away). */
  maxOutstanding?: number;
}

/**
 * A field gateway stand-in that publishes telemetry samples at QoS 1 and remembers which the
 * broker acknowledged (PUBACK) and when. Sample `seq` is point `fz-<seq % points>` at time
 * `base + seq` ms: every sample is one distinct row. Survives broker restarts (persistent
 * session; mqtt.js resends what was not acknowledged).
 */
export class SamplePublisher {
  readonly client: MqttClient;
  readonly base = Date.now();
  sent = 0;
  /** seq → when the broker's PUBACK arrived (Date.now()). */
  readonly acked = new Map<number, number>();
  failed = 0;
  private timer: NodeJS.Timeout | null = null;
  private outstanding = 0;
  private readonly settled: Promise<unknown>[] = [];
  private readonly points: number;
  private readonly site: string;

  constructor(private readonly o: PublisherOptions) {
    this.points = o.points ?? 8;
    this.site = o.site ?? 'north';
    this.client = mqtt.connect(o.url, {
      clientId: o.clientId ?? `fault-publisher-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      clean: false,
      protocolVersion: o.protocolVersion ?? 4,
      reconnectPeriod: 250,
      connectTimeout: 5000,
      log: () => undefined,
    } as mqtt.IClientOptions);
    this.client.on('error', () => undefined);
  }

  point(seq: number): string {
    return `fz-${seq % this.points}`;
  }

  ts(seq: number): number {
    return this.base + seq;
  }

  start(): void {
    const perTick = Math.max(1, Math.round((this.o.rate ?? 300) / 50));
    this.timer = setInterval(() => {
      for (let i = 0; i < perTick && this.outstanding < (this.o.maxOutstanding ?? 5000); i++) this.publishOne();
    }, 20);
  }

  private publishOne(): void {
    const seq = this.sent++;
    const body = JSON.stringify({ v: 2, ts: new Date(this.ts(seq)).toISOString(), value: seq, quality: 'good' });
    this.outstanding++;
    const p = this.client.publishAsync(topics.telemetry(this.site, 'gw-1', this.point(seq)), body, { qos: 1 }).then(
      () => {
        this.acked.set(seq, Date.now());
      },
      () => {
        this.failed++;
      },
    );
    this.settled.push(p.finally(() => this.outstanding--));
  }

  /** Stops publishing and waits (up to `timeoutMs`) for every PUBACK still due. */
  async stop(timeoutMs = 60_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = Date.now() + timeoutMs;
    while (this.outstanding > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.endAsync(true).catch(() => undefined);
  }

  /** Acknowledged samples that are not rows of `db` (seq numbers), optionally only those `accept`ed. */
  /** Acknowledged samples (that `accept` picks) not stored in the history of `dataDir` (a copy: snapshot()). */
  missingFrom(dataDir: string, accept: (seq: number, ackedAt: number) => boolean = () => true): number[] {
    const have = storedSamples(dataDir, (p) => p.startsWith('fz-'));
    const missing: number[] = [];
    for (const [seq, at] of this.acked)
      if (accept(seq, at) && !have.get(this.point(seq))?.has(this.ts(seq))) missing.push(seq);
    return missing.sort((a, b) => a - b);
  }
}
