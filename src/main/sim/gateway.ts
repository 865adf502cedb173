import { randomBytes } from 'node:crypto';
import {
  parseTopic,
  subscriptionsOf,
  topics,
  topicsV1,
  type PointMetaMessage,
  type PresenceMessage,
  type ValveAckMessage,
} from '../../shared/protocol';
import type { Logger } from '../log';
import type { PointSpec } from './layout';
import { SimLink } from './link';
import { stateMessage, type SimValve } from './valve';

export interface GatewayOptions {
  id: string;
  site: string;
  url: string;
  protocolVersion: 4 | 5;
  /** Plainview protocol 2 (topics under `gateways/{id}/`), or 1 (a v1 gateway). */
  protocol: 1 | 2;
  /** Its own MQTT account (username and password), if the broker wants one. */
  credentials: { username: string; password: string } | null;
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
  /** Its topic names: v2's, with its own id in each, or v1's, without. */
  private readonly t: {
    presence: string;
    state(valve: string): string;
    ack(valve: string): string;
    meta(point: string): string;
    sample(point: string): string;
    commands: string[];
  };

  constructor(private readonly o: GatewayOptions) {
    this.owned = new Set(o.valves.map((v) => v.spec.id));
    const { site, id } = o;
    this.t =
      o.protocol === 2
        ? {
            presence: topics.gatewayPresence(site, id),
            state: (v) => topics.valveState(site, id, v),
            ack: (v) => topics.valveAck(site, id, v),
            meta: (p) => topics.pointMeta(site, id, p),
            sample: (p) => topics.telemetry(site, id, p),
            // From the topic table: its own command topics only.
            commands: subscriptionsOf('gateway', site, id),
          }
        : {
            presence: topicsV1.gatewayPresence(site, id),
            state: (v) => topicsV1.valveState(site, v),
            ack: (v) => topicsV1.valveAck(site, v),
            meta: (p) => topicsV1.pointMeta(site, p),
            sample: (p) => topicsV1.telemetry(site, p),
            commands: [topicsV1.valveCommand(site, '+')],
          };
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
      credentials: o.credentials,
      log: o.log,
      will: { topic: this.t.presence, payload: () => this.presence('offline') },
      subscriptions: this.t.commands,
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
    await link.publishAndWait(this.t.presence, this.presence('offline'), timeoutMs).catch(() => undefined);
    await link.close(timeoutMs);
    this.link = null;
  }

  publishState(valve: SimValve): void {
    const msg = stateMessage(valve, this.o.now().toISOString(), this.o.protocol);
    this.link?.publish(this.t.state(valve.spec.id), JSON.stringify(msg), 1, true);
  }

  publishAck(valveId: string, ack: ValveAckMessage): void {
    // QoS 1 so the station hears it; never retained: an ack answers one command, once.
    this.link?.publish(this.t.ack(valveId), JSON.stringify({ ...ack, v: this.o.protocol }), 1, false);
  }

  /** Samples are QoS 0 and not retained: the next one is never far behind. */
  publishSample(pointId: string, payload: string): boolean {
    return this.link?.publish(this.t.sample(pointId), payload, 0, false) ?? false;
  }

  private birth(): void {
    const { o } = this;
    const link = this.link;
    if (!link) return;
    link.publish(this.t.presence, this.presence('online'), 1, true);
    for (const p of o.points) link.publish(this.t.meta(p.id), JSON.stringify(this.meta(p)), 1, true);
    for (const v of o.valves) this.publishState(v);
    o.log.info('gateway online', { gateway: o.id, valves: o.valves.length, points: o.points.length });
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    // v2: plainview/v2/{site}/gateways/{id}/valves/{valve}/cmd, this gateway's own commands only;
    // v1: plainview/v1/{site}/valves/{valve}/cmd, where every gateway hears every command.
    const t = parseTopic(topic);
    if (t?.kind !== 'valve_command' || (t.protocol === 2 && t.owner !== this.o.id)) return;
    const valveId = t.id;
    if (!this.owned.has(valveId)) return;
    // A retained command was left on the broker by mistake and may be hours old: never act on it.
    if (retained) return this.o.log.warn('retained command ignored', { valve: valveId, topic });
    this.o.onCommand(valveId, payload);
  }

  private presence(status: PresenceMessage['status']): string {
    const msg: PresenceMessage = { v: this.o.protocol, status, ts: this.o.now().toISOString() };
    return JSON.stringify(msg);
  }

  private meta(p: PointSpec): PointMetaMessage {
    return {
      v: this.o.protocol,
      gateway: this.o.id,
      kind: p.kind,
      unit: p.unit,
      segment: p.segment,
      valve: p.valve,
      staleAfterMs: this.o.staleAfterMs,
      compression: null,
    };
  }
}
