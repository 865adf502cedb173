import { randomBytes } from 'node:crypto';
import type { ValveAckMessage } from '../../shared/protocol';
import { DataType, decodePayload, encodePayload, metricValue, type MetricOut } from '../sparkplug/codec';
import { edgeTopic } from '../sparkplug/topics';
import type { Logger } from '../log';
import type { Gateway } from './gateway';
import type { PointSpec } from './layout';
import { SimLink } from './link';
import type { SimValve } from './valve';

/** What the simulator asks of a field gateway, whichever protocol it speaks. */
export type SimGateway = Pick<
  Gateway,
  'id' | 'connected' | 'up' | 'open' | 'kill' | 'close' | 'publishState' | 'publishAck' | 'publishSample'
>;

/** The metric names of the simulator's Sparkplug devices (and of the mapping it writes). */
export const SP_METRICS = {
  state: 'State',
  position: 'Position',
  local: 'Local',
  fault: 'Fault',
  command: 'Command',
  target: 'Target',
  pressure: 'Pressure',
  flow: 'Flow',
} as const;

/** Where a point's samples go: the segment's instrument device, or the valve's own device. */
export function pointTarget(p: PointSpec): { device: string; metric: string } {
  if (p.valve !== null) return { device: p.valve, metric: SP_METRICS.position };
  return { device: p.segment, metric: p.kind === 'pressure' ? SP_METRICS.pressure : SP_METRICS.flow };
}

export interface SparkplugGatewayOptions {
  id: string;
  /** The Sparkplug group: the site id. */
  group: string;
  url: string;
  protocolVersion: 4 | 5;
  log: Logger;
  now: () => Date;
  valves: SimValve[];
  points: PointSpec[];
  /** A metric write (DCMD) to one of this node's valves. */
  onCommand(valveId: string, action: 'open' | 'close' | 'set_position', position: number | null): void;
}

interface Metric {
  alias: number;
  datatype: number;
}

/**
 * One field gateway as a Sparkplug B edge node (`plainview sim --sparkplug`): the node is
 * the gateway (gw-1), each valve a device (v-101: State, Position, Local, Fault, and the
 * writable Command and Target) and each segment's instruments a device (seg-01: Pressure,
 * Flow). NDEATH with bdSeq as its will, NBIRTH and DBIRTHs at every connect and on a rebirth
 * request, DDATA by alias, seq 0 to 255. Encoded with Plainview's own codec.
 */
export class SparkplugGateway implements SimGateway {
  private link: SimLink | null = null;
  private bdSeq = -1;
  private seq = 0;
  private born = false;
  private readonly devices = new Map<string, Map<string, Metric>>();
  private readonly valves = new Map<string, SimValve>();

  constructor(private readonly o: SparkplugGatewayOptions) {
    let alias = 1;
    const add = (device: string, metric: string, datatype: number) => {
      let d = this.devices.get(device);
      if (!d) this.devices.set(device, (d = new Map()));
      if (!d.has(metric)) d.set(metric, { alias: alias++, datatype });
    };
    for (const v of o.valves) {
      this.valves.set(v.spec.id, v);
      add(v.spec.id, SP_METRICS.state, DataType.String);
      add(v.spec.id, SP_METRICS.position, DataType.Float);
      add(v.spec.id, SP_METRICS.local, DataType.Boolean);
      add(v.spec.id, SP_METRICS.fault, DataType.String);
      add(v.spec.id, SP_METRICS.command, DataType.String);
      if (v.spec.supportsPosition) add(v.spec.id, SP_METRICS.target, DataType.Float);
    }
    for (const p of o.points) {
      const t = pointTarget(p);
      add(t.device, t.metric, DataType.Float);
    }
  }

  get id(): string {
    return this.o.id;
  }

  get connected(): boolean {
    return (this.link?.connected ?? false) && this.born;
  }

  get up(): boolean {
    return this.link !== null;
  }

  open(): SimLink {
    if (this.link) return this.link;
    const { o } = this;
    this.link = new SimLink({
      url: o.url,
      clientId: `pvsp-${o.id}-${randomBytes(4).toString('hex')}`,
      protocolVersion: o.protocolVersion,
      log: o.log,
      // A new bdSeq for each connection attempt; its NBIRTH carries the same one.
      will: { topic: edgeTopic(o.group, 'NDEATH', o.id), payload: () => this.death(), retain: false },
      subscriptions: [edgeTopic(o.group, 'NCMD', o.id), `${edgeTopic(o.group, 'DCMD', o.id)}/+`],
      onConnect: () => this.birth(),
      onMessage: (topic, payload) => this.onMessage(topic, payload),
    });
    this.link.open();
    return this.link;
  }

  kill(): void {
    this.born = false;
    this.link?.kill();
    this.link = null;
  }

  /** An orderly goodbye: the NDEATH itself (a clean disconnect discards the will), then disconnect. */
  async close(timeoutMs: number): Promise<void> {
    const link = this.link;
    if (!link) return;
    this.born = false;
    await link
      .publishAndWait(edgeTopic(this.o.group, 'NDEATH', this.o.id), Buffer.from(this.deathPayload()), timeoutMs, false)
      .catch(() => undefined);
    await link.close(timeoutMs);
    this.link = null;
  }

  publishState(valve: SimValve): void {
    this.data(valve.spec.id, {
      [SP_METRICS.state]: valve.state,
      [SP_METRICS.position]: Math.round(valve.position * 10) / 10,
      [SP_METRICS.local]: valve.localControl,
      [SP_METRICS.fault]: valve.fault ?? '',
    });
  }

  /** Sparkplug has no acknowledgement: the valve's reported state is the answer. */
  publishAck(_valveId: string, _ack: ValveAckMessage): void {}

  publishSample(pointId: string, payload: string): boolean {
    const p = this.o.points.find((x) => x.id === pointId);
    if (!p) return false;
    const { value } = JSON.parse(payload) as { value: number };
    const t = pointTarget(p);
    return this.data(t.device, { [t.metric]: value });
  }

  private data(device: string, values: Record<string, number | string | boolean>): boolean {
    const metrics = this.devices.get(device);
    if (!metrics || !this.connected) return false;
    const out: MetricOut[] = [];
    for (const [name, value] of Object.entries(values)) {
      const m = metrics.get(name);
      if (m) out.push({ alias: m.alias, datatype: m.datatype, value });
    }
    return this.publish(edgeTopic(this.o.group, 'DDATA', this.o.id, device), out, true);
  }

  private publish(topic: string, metrics: MetricOut[], withSeq: boolean): boolean {
    const seq = withSeq ? this.nextSeq() : undefined;
    const body = encodePayload({ timestamp: this.o.now().getTime(), seq, metrics });
    return this.link?.publish(topic, Buffer.from(body), 0, false) ?? false;
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) % 256;
    return s;
  }

  private death(): Buffer {
    this.bdSeq = (this.bdSeq + 1) % 256;
    return Buffer.from(this.deathPayload());
  }

  private deathPayload(): Uint8Array {
    return encodePayload({
      timestamp: this.o.now().getTime(),
      metrics: [{ name: 'bdSeq', datatype: DataType.UInt64, value: this.bdSeq }],
    });
  }

  /** NBIRTH then a DBIRTH per device, seq from 0: at connect and on a rebirth request. */
  private birth(): void {
    const { o } = this;
    this.seq = 0;
    this.born = true;
    this.publish(
      edgeTopic(o.group, 'NBIRTH', o.id),
      [
        { name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false },
        { name: 'bdSeq', datatype: DataType.UInt64, value: this.bdSeq },
      ],
      true,
    );
    for (const [device, metrics] of this.devices) {
      const valve = this.valves.get(device);
      const out: MetricOut[] = [];
      for (const [name, m] of metrics)
        out.push({ name, alias: m.alias, datatype: m.datatype, value: this.initial(valve, name) });
      this.publish(edgeTopic(o.group, 'DBIRTH', o.id, device), out, true);
    }
    o.log.info('sparkplug edge node born', { node: o.id, bdSeq: this.bdSeq, devices: this.devices.size });
  }

  private initial(valve: SimValve | undefined, metric: string): number | string | boolean | null {
    if (!valve) return null; // instruments: the first sample follows
    switch (metric) {
      case SP_METRICS.state:
        return valve.state;
      case SP_METRICS.position:
        return Math.round(valve.position * 10) / 10;
      case SP_METRICS.local:
        return valve.localControl;
      case SP_METRICS.fault:
        return valve.fault ?? '';
      case SP_METRICS.command:
        return '';
      default:
        return valve.position;
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const decoded = decodePayload(payload);
    if (!decoded.ok) return this.o.log.warn('undecodable command', { topic, error: decoded.detail });
    const device = topic.split('/')[4];
    if (device === undefined) {
      const rebirth = decoded.payload.metrics.find((m) => m.name === 'Node Control/Rebirth');
      if (rebirth?.field === 'boolean_value' && rebirth.raw === true) {
        this.o.log.info('rebirth requested', { node: this.o.id });
        this.birth();
      }
      return;
    }
    if (!this.valves.has(device)) return;
    for (const m of decoded.payload.metrics) {
      const declared = m.name ? this.devices.get(device)?.get(m.name) : undefined;
      if (!declared) continue;
      const v = metricValue(declared.datatype, m);
      if (!v.ok) continue;
      if (m.name === SP_METRICS.command && (v.value === 'open' || v.value === 'close'))
        this.o.onCommand(device, v.value, null);
      else if (m.name === SP_METRICS.target && typeof v.value === 'number')
        this.o.onCommand(device, 'set_position', v.value);
    }
  }
}
