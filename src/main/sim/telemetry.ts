import type { TelemetryMessage } from '../../shared/protocol';
import type { SimGateway } from './sparkplug-gateway';
import type { SiteLayout } from './layout';
import type { LineModel } from './line-model';
import { Pacer } from './pacer';
import type { SimValve } from './valve';

export interface TelemetryCounters {
  samplesSent: number;
  samplesSkipped: number;
}

export interface TelemetryOptions {
  layout: SiteLayout;
  /** The gateway of each point, by the point's index in the layout. */
  gateways: SimGateway[];
  valves: ReadonlyMap<string, SimValve>;
  model: LineModel;
  rate: number;
  now: () => Date;
  /** The protocol version the payloads carry. */
  v: 1 | 2;
  counters: TelemetryCounters;
}

/**
 * The samples of every point, `rate` per second in total, the points in turn so each is
 * refreshed evenly. A point whose gateway is down is skipped (and counted), not queued.
 */
export class TelemetryFeed {
  private readonly pacer: Pacer;
  private cursor = 0;

  constructor(private readonly o: TelemetryOptions) {
    this.pacer = new Pacer(o.rate, (n) => this.sendBatch(n));
  }

  start(): void {
    this.pacer.start();
  }

  stop(): void {
    this.pacer.stop();
  }

  /** The segment's pressure and flow now, out of turn: a leak must show without waiting. */
  sendSegment(segmentId: string): void {
    const ts = this.o.now().toISOString();
    this.o.layout.points.forEach((p, i) => {
      if (p.segment === segmentId && p.valve === null) this.send(i, ts);
    });
  }

  private sendBatch(count: number): void {
    const base = this.o.now().getTime();
    const n = this.o.layout.points.length;
    for (let i = 0; i < count; i++) {
      // Above one sample per point in a batch, each round over the points is a millisecond
      // later: two values of one point never share a time (the store keeps one per time).
      this.send(this.cursor, new Date(base + Math.floor(i / n)).toISOString());
      this.cursor = (this.cursor + 1) % n;
    }
  }

  private send(index: number, ts: string): void {
    const { layout, gateways, valves, model, counters } = this.o;
    const point = layout.points[index];
    const gateway = gateways[index];
    if (!point || !gateway?.connected) {
      counters.samplesSkipped += 1;
      return;
    }
    const faulty = point.valve !== null && valves.get(point.valve)?.state === 'fault';
    const msg: TelemetryMessage = {
      v: this.o.v,
      ts,
      value: model.value(index),
      quality: faulty ? 'uncertain' : 'good',
    };
    if (gateway.publishSample(point.id, JSON.stringify(msg))) counters.samplesSent += 1;
    else counters.samplesSkipped += 1;
  }
}
