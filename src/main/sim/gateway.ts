import { randomBytes } from 'node:crypto';
import { topics, type PointMetaMessage, type PresenceMessage, type ValveAckMessage } from '../../shared/protocol';
import type { Logger } from '../log';
import type { PointSpec } from './layout';
import { SimLink } from './link';
import { stateMessage, type SimValve } from './valve';

export interface GatewayOptions {
  id: string;
  site: string;
  url: string;
  protocolVersion: 4 | 5;
  log: Logger;
  now: () => Date;
  valves: SimValve[];
  points: PointSpec[];
  staleAfterMs: number | null;
  /** A command arrived for one of this gateway's valves. */
  onCommand(valveId: string, payload: Buffer): void;
}

/**
 * One field gateway (an RTU): its own MQTT connection with an `offline` will, and at every
 * connect its birth: `online`, then the retained state of each of its valves and the
 * description of each of its points, in the spirit of a Sparkplug B birth certificate.
 */
export class Gateway {
  private link: SimLink | null = null;
  private readonly owned: Set<string>;

  constructor(private readonly o: GatewayOptions) {
    this.owned = new Set(o.valves.map((v) => v.spec.id));
  }

  get id(): string {
    return this.o.id;
  }

  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** False between dropGateway and restoreGateway. */
  get up(): boolean {
    return this.link !== null;
  }

  open(): SimLink {
    if (this.link) return this.link;
    const { o } = this;
    this.link = new SimLink({
      url: o.url,
      // Fresh on each open: aedes limits ids to 23 characters, and a new id never takes over the old session.
      clientId: `pvsim-${o.id}-${randomBytes(4).toString('hex')}`,
      protocolVersion: o.protocolVersion,
      log: o.log,
      will: { topic: topics.gatewayPresence(o.site, o.id), payload: () => this.presence('offline') },
      subscriptions: [topics.valveCommand(o.site, '+')],
      onConnect: () => this.birth(),
      onMessage: (topic, payload, retained) => this.onMessage(topic, payload, retained),
    });
    this.link.open();
    return this.link;
  }

  /** The connection dies without a goodbye; the broker publishes the will. */
  kill(): void {
    this.link?.kill();
    this.link = null;
  }

  /** Says `offline` itself (a clean disconnect discards the will), then disconnects. */
  async close(timeoutMs: number): Promise<void> {
    const link = this.link;
    if (!link) return;
    const topic = topics.gatewayPresence(this.o.site, this.o.id);
    await link.publishAndWait(topic, this.presence('offline'), timeoutMs).catch(() => undefined);
    await link.close(timeoutMs);
    this.link = null;
  }

  publishState(valve: SimValve): void {
    const msg = stateMessage(valve, this.o.now().toISOString());
    this.link?.publish(topics.valveState(this.o.site, valve.spec.id), JSON.stringify(msg), 1, true);
  }

  publishAck(valveId: string, ack: ValveAckMessage): void {
    // QoS 1 so the station hears it; never retained: an ack answers one command, once.
    this.link?.publish(topics.valveAck(this.o.site, valveId), JSON.stringify(ack), 1, false);
  }

  /** Samples are QoS 0 and not retained: the next one is never far behind. */
  publishSample(pointId: string, payload: string): boolean {
    return this.link?.publish(topics.telemetry(this.o.site, pointId), payload, 0, false) ?? false;
  }

  private birth(): void {
    const { o } = this;
    const link = this.link;
    if (!link) return;
    link.publish(topics.gatewayPresence(o.site, o.id), this.presence('online'), 1, true);
    for (const p of o.points) link.publish(topics.pointMeta(o.site, p.id), JSON.stringify(this.meta(p)), 1, true);
    for (const v of o.valves) this.publishState(v);
    o.log.info('gateway online', { gateway: o.id, valves: o.valves.length, points: o.points.length });
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    // The topic is plainview/v1/{site}/valves/{id}/cmd; every gateway hears every command.
    const valveId = topic.split('/')[4] ?? '';
    if (!this.owned.has(valveId)) return;
    // A retained command was left on the broker by mistake and may be hours old: never act on it.
    if (retained) return this.o.log.warn('retained command ignored', { valve: valveId, topic });
    this.o.onCommand(valveId, payload);
  }

  private presence(status: PresenceMessage['status']): string {
    const msg: PresenceMessage = { v: 1, status, ts: this.o.now().toISOString() };
    return JSON.stringify(msg);
  }

  private meta(p: PointSpec): PointMetaMessage {
    return {
      v: 1,
      gateway: this.o.id,
      kind: p.kind,
      unit: p.unit,
      segment: p.segment,
      valve: p.valve,
      staleAfterMs: this.o.staleAfterMs,
    };
  }
}
