import type { z } from 'zod';
import {
  AlarmDefinitionsMessage,
  AlarmSnapshotMessage,
  AlertMessage,
  AuditHeadMessage,
  checkEventBody,
  IncidentSnapshotMessage,
  OperatorRecordMessage,
  parseTopic,
  PointMetaMessage,
  PresenceMessage,
  SiteMessage,
  StationEventMessage,
  TelemetryMessage,
  ValveAckMessage,
  ValveStateMessage,
  type ParsedTopic,
  type TopicKind,
} from '../../shared/protocol';
import type { Quality } from '../../shared/quality';
import type { RejectReason } from './counters';
import type { Telemetry } from '../telemetry/telemetry';
import type { IngestCounters } from './counters';
import { quickTelemetry } from './sample-check';
import type { FieldState } from './state';

/** Larger payloads are refused before parsing: no legitimate message comes near it. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/**
 * The site description lists every segment, and a snapshot is an alarm's or incident's whole
 * history (up to its last 2,000 events): they need more room.
 */
const MAX_LARGE_BYTES = 2 * 1024 * 1024;
const LARGE: ReadonlySet<TopicKind> = new Set(['site', 'alarm_snapshot', 'incident_snapshot', 'alarm_definitions']);

const schemas: Partial<Record<TopicKind, z.ZodType>> = {
  site: SiteMessage,
  valve_state: ValveStateMessage,
  valve_ack: ValveAckMessage,
  point_meta: PointMetaMessage,
  telemetry: TelemetryMessage,
  alert: AlertMessage,
  station_event: StationEventMessage,
  alarm_snapshot: AlarmSnapshotMessage,
  incident_snapshot: IncidentSnapshotMessage,
  station_presence: PresenceMessage,
  gateway_presence: PresenceMessage,
  alarm_definitions: AlarmDefinitionsMessage,
  operator_record: OperatorRecordMessage,
  audit_head: AuditHeadMessage,
};

/** Topic patterns for counters, so a flood of random ids does not grow the counter map. */
const patterns: Record<TopicKind, string> = {
  site: 'site',
  valve_state: 'gateways/+/valves/+/state',
  valve_command: 'gateways/+/valves/+/cmd',
  valve_ack: 'gateways/+/valves/+/ack',
  point_meta: 'gateways/+/points/+/meta',
  telemetry: 'gateways/+/points/+/sample',
  alert: 'alerts/+',
  station_event: 'stations/+/events',
  station_presence: 'stations/+/presence',
  gateway_presence: 'gateways/+/presence',
  alarm_snapshot: 'stations/+/snapshots/alarms/+',
  incident_snapshot: 'stations/+/snapshots/incidents/+',
  alarm_definitions: 'stations/+/alarm-definitions',
  operator_record: 'stations/+/operators/+',
  audit_head: 'stations/+/audit-head',
};
/** The same for protocol v1's field topics (taken while the site accepts v1 gateways). */
const patternsV1: Partial<Record<TopicKind, string>> = {
  site: 'v1 site',
  valve_state: 'v1 valves/+/state',
  valve_command: 'v1 valves/+/cmd',
  valve_ack: 'v1 valves/+/ack',
  point_meta: 'v1 points/+/meta',
  telemetry: 'v1 points/+/sample',
  alert: 'v1 alerts/+',
  gateway_presence: 'v1 presence/gateways/+',
};

type Refused = { reason: RejectReason; detail: string } | null;

/** What ingest tells the rooms above (a subset of the field's events). */
export interface IngestHooks {
  /** A field acknowledgement of a valve command (the actuation service listens). */
  onAck(valveId: string, ack: ValveAckMessage): void;
  /** The retained journal of an alarm: merged by event id (late joiners catch up). */
  onAlarmSnapshot(snapshot: AlarmSnapshotMessage): void;
  /** The retained event log of an incident: merged by event id, like the alarm's. */
  onIncidentSnapshot(snapshot: IncidentSnapshotMessage): void;
  /** A station event from any station, this one included; the receiver deduplicates. */
  onStationEvent(event: StationEventMessage): void;
  /** A PipelineGuard alert raised or cleared (the alarm service journals it). */
  onAlert(alert: AlertMessage): void;
  /** The site's alarm definitions as another station published them (retained). */
  onAlarmDefinitions(message: AlarmDefinitionsMessage): void;
  /** A site-wide operator account as a station holds it (retained; src/main/operators). */
  onOperatorRecord?(message: OperatorRecordMessage, station: string): void;
  /** A telemetry sample taken (limit alarms are evaluated on it): the hot path, keep it cheap. */
  onSample(point: string, ts: number, value: number, quality: string): void;
  /** A change operators should see at once (valve state, alert, presence). */
  onChange(kind: TopicKind, id: string): void;
  /** A station's or gateway's presence as published (the fleet listens). */
  onPresence?(kind: 'station' | 'gateway', id: string, message: PresenceMessage): void;
  /** A station's published audit chain head (this station's own included). */
  onAuditHead?(message: AuditHeadMessage): void;
}

/**
 * Every message from the broker passes here. Nothing throws out of `handle`: a message is
 * either applied (state in memory, rows to the writer) or rejected, counted by reason and
 * topic pattern, and logged at a limited rate.
 */
export class Ingest implements FieldIntake {
  private readonly writer: Telemetry['writer'];

  constructor(
    private readonly state: FieldState,
    private readonly telemetry: Pick<Telemetry, 'record' | 'writer' | 'describe'>,
    private readonly counters: IngestCounters,
    private readonly hooks: IngestHooks,
    private readonly now: () => number,
    /** Also take protocol v1 gateways (the site setting `acceptV1`). */
    private readonly acceptV1 = false,
  ) {
    this.writer = telemetry.writer;
  }

  handle(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t) return this.counters.reject('unknown_topic', 'other', topic.slice(0, 200));
    const pattern = t.protocol === 2 ? patterns[t.kind] : (patternsV1[t.kind] ?? 'v1 other');
    if (t.site !== this.state.siteId) return this.counters.reject('wrong_site', pattern, t.site);
    if (t.protocol === 1 && !this.acceptV1)
      return this.counters.reject('version', pattern, 'protocol v1 topic; this site does not accept v1 (acceptV1)');
    if (payload.length === 0)
      return this.counters.reject('empty', pattern, 'empty payload (a cleared retained message)');
    const limit = LARGE.has(t.kind) ? MAX_LARGE_BYTES : MAX_PAYLOAD_BYTES;
    if (payload.length > limit) return this.counters.reject('oversize', pattern, `${payload.length} bytes`);
    const schema = schemas[t.kind];
    if (!schema) return this.counters.reject('unknown_topic', pattern, 'stations do not take this topic');

    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      return this.counters.reject('not_json', pattern, (err as Error).message.slice(0, 200));
    }
    // The payload's version must be the topic's: v2 topics carry v2 payloads, v1 topics v1.
    if (typeof json !== 'object' || json === null || (json as { v?: unknown }).v !== t.protocol) {
      const v = typeof json === 'object' && json !== null ? (json as { v?: unknown }).v : undefined;
      return this.counters.reject(
        'version',
        pattern,
        `protocol version ${JSON.stringify(v) ?? 'missing'}, expected ${t.protocol}`,
      );
    }
    const quick = t.kind === 'telemetry' ? quickTelemetry(json as Record<string, unknown>) : null;
    const parsed = quick ? { success: true as const, data: quick } : schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.counters.reject(
        'schema',
        pattern,
        `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const bodies = eventBodiesOf(t.kind, parsed.data);
    if (!bodies.ok) return this.counters.reject('schema', pattern, bodies.detail);
    const refused = this.ownership(t, parsed.data);
    if (refused) return this.counters.reject(refused.reason, pattern, refused.detail);
    try {
      this.apply(t, parsed.data);
      this.counters.accept(t.kind);
    } catch (err) {
      // A valid message the station failed to apply (a bug, or the database refusing a write)
      // is counted and logged like bad input; the link and ingest go on.
      this.counters.reject('apply_failed', pattern, (err as Error).message.slice(0, 200));
    }
  }

  sample(id: string, ts: number, value: number, quality: Quality, receivedAt = this.now()): void {
    const p = this.state.point(id);
    if (p.ts === null || ts >= p.ts) {
      // Field by field: this runs for every sample, and an object literal here is garbage.
      p.value = value;
      p.quality = quality;
      p.ts = ts;
      p.receivedAt = receivedAt;
      this.state.dirtyPoints.add(id);
    }
    this.telemetry.record(id, ts, value, quality);
    return this.hooks.onSample(id, ts, value, quality);
  }

  valveState(id: string, m: ValveStateMessage, receivedAt = this.now(), protocol: 1 | 2 = 2): void {
    this.state.valves.set(id, { msg: m, receivedAt, protocol });
    if (protocol === 2) this.state.gatewaysOnV2.add(m.gateway);
    this.state.dirtyValves.add(id);
    this.writer.addValve(m, id, new Date(receivedAt).toISOString());
    return this.hooks.onChange('valve_state', id);
  }

  pointMeta(id: string, m: PointMetaMessage, protocol: 1 | 2 = 2): void {
    const p = this.state.point(id);
    p.meta = m;
    p.owner = m.gateway;
    if (protocol === 2) this.state.gatewaysOnV2.add(m.gateway);
    this.state.dirtyPoints.add(id);
    return this.telemetry.describe(id, m);
  }

  site(m: SiteMessage): void {
    this.state.site = { name: m.name, demo: m.demo, segments: m.segments };
    this.state.siteChanged = true;
    this.writer.setSite(m);
    return this.hooks.onChange('site', this.state.siteId);
  }

  gatewayPresence(id: string, online: boolean, announce = true, protocol: 1 | 2 = 2): void {
    if (protocol === 2) this.state.gatewaysOnV2.add(id);
    this.state.gateways.set(id, online);
    this.state.markGateway(id);
    if (announce) this.hooks.onChange('gateway_presence', id);
  }

  /**
   * Whose topic it is: a gateway writes only its own valves and points, a station only its
   * own events (protocol v2 puts the owner in the topic, and the broker's ACL keeps each
   * account to its own). A valve or point belongs to the gateway whose state or meta arrived
   * first in this run; another gateway's message for it is refused. Once a gateway has spoken
   * v2, its v1 topics (retained leftovers of before its upgrade) are refused.
   */
  private ownership(t: ParsedTopic, data: unknown): Refused {
    const { kind, id, owner } = t;
    const v1 = t.protocol === 1;
    switch (kind) {
      case 'telemetry': {
        const p = this.state.points.get(id);
        if (p?.owner === undefined) return null;
        if (v1) return this.state.gatewaysOnV2.has(p.owner) ? superseded(p.owner) : null;
        return p.owner === owner ? null : { reason: 'owner', detail: `point ${id} belongs to gateway ${p.owner}` };
      }
      case 'valve_state': {
        const gateway = (data as ValveStateMessage).gateway;
        if (!v1 && gateway !== owner)
          return { reason: 'owner', detail: `gateway ${gateway} in the payload, ${owner} in the topic` };
        if (v1 && this.state.gatewaysOnV2.has(gateway)) return superseded(gateway);
        const r = this.state.valves.get(id);
        if (r && r.receivedAt > 0 && r.msg.gateway !== gateway)
          return { reason: 'owner', detail: `valve ${id} belongs to gateway ${r.msg.gateway}` };
        return null;
      }
      case 'valve_ack': {
        const r = this.state.valves.get(id);
        if (!r || r.receivedAt === 0) return null;
        if (v1) return r.protocol === 2 ? superseded(r.msg.gateway) : null;
        return r.msg.gateway === owner
          ? null
          : { reason: 'owner', detail: `valve ${id} belongs to gateway ${r.msg.gateway}` };
      }
      case 'point_meta': {
        const gateway = (data as PointMetaMessage).gateway;
        if (!v1 && gateway !== owner)
          return { reason: 'owner', detail: `gateway ${gateway} in the payload, ${owner} in the topic` };
        if (v1 && this.state.gatewaysOnV2.has(gateway)) return superseded(gateway);
        const p = this.state.points.get(id);
        if (p?.owner !== undefined && p.owner !== gateway)
          return { reason: 'owner', detail: `point ${id} belongs to gateway ${p.owner}` };
        return null;
      }
      case 'gateway_presence':
        return v1 && this.state.gatewaysOnV2.has(id) ? superseded(id) : null;
      case 'operator_record': {
        const name = (data as OperatorRecordMessage).operator.username;
        return name === id ? null : { reason: 'owner', detail: `operator ${name} in the payload, ${id} in the topic` };
      }
      case 'audit_head': {
        const station = (data as AuditHeadMessage).station;
        return station === owner
          ? null
          : { reason: 'owner', detail: `station ${station} in the payload, ${owner} in the topic` };
      }
      case 'station_event': {
        const station = (data as StationEventMessage).station;
        return station === owner
          ? null
          : { reason: 'owner', detail: `station ${station} in the payload, ${owner} in the topic` };
      }
      default:
        return null;
    }
  }

  private apply(t: ParsedTopic, data: unknown): void {
    const { kind, id, protocol } = t;
    const receivedAt = this.now();
    switch (kind) {
      case 'telemetry': {
        const m = data as TelemetryMessage;
        return this.sample(id, Date.parse(m.ts), m.value, m.quality, receivedAt);
      }
      case 'valve_state':
        return this.valveState(id, data as ValveStateMessage, receivedAt, protocol);
      case 'point_meta':
        return this.pointMeta(id, data as PointMetaMessage, protocol);
      case 'site':
        return this.site(data as SiteMessage);
      case 'alert':
        this.hooks.onAlert(data as AlertMessage);
        return this.hooks.onChange(kind, id);
      case 'gateway_presence':
        this.hooks.onPresence?.('gateway', id, data as PresenceMessage);
        return this.gatewayPresence(id, (data as PresenceMessage).status === 'online', true, protocol);
      case 'station_presence':
        this.hooks.onPresence?.('station', id, data as PresenceMessage);
        return this.hooks.onChange(kind, id);
      case 'valve_ack':
        return this.hooks.onAck(id, data as ValveAckMessage);
      case 'station_event':
        return this.hooks.onStationEvent(data as StationEventMessage);
      case 'alarm_snapshot':
        return this.hooks.onAlarmSnapshot(data as AlarmSnapshotMessage);
      case 'incident_snapshot':
        return this.hooks.onIncidentSnapshot(data as IncidentSnapshotMessage);
      case 'alarm_definitions':
        return this.hooks.onAlarmDefinitions(data as AlarmDefinitionsMessage);
      case 'operator_record':
        return this.hooks.onOperatorRecord?.(data as OperatorRecordMessage, t.owner!);
      case 'audit_head':
        return this.hooks.onAuditHead?.(data as AuditHeadMessage);
      default:
        return;
    }
  }
}

function superseded(gateway: string): Refused {
  return { reason: 'version', detail: `gateway ${gateway} speaks protocol v2 now; its v1 topics are ignored` };
}

/**
 * The ways into the station's field state, one per kind of fact: the Plainview topics above
 * use them, and so does another field protocol (the Sparkplug host, src/main/sparkplug), so a
 * valve or point from either is the same to the rooms above. Valid input only: the caller
 * has checked it.
 */
export interface FieldIntake {
  sample(id: string, ts: number, value: number, quality: Quality, receivedAt?: number): void;
  valveState(id: string, m: ValveStateMessage, receivedAt?: number): void;
  pointMeta(id: string, m: PointMetaMessage): void;
  site(m: SiteMessage): void;
  /** A gateway (or another protocol's field device) came or went; `announce`: tell the rooms (alarms). */
  gatewayPresence(id: string, online: boolean, announce?: boolean): void;
}

/**
 * An event's envelope may be fine and its body not: the body must be one this station knows
 * how to apply. A snapshot is taken whole or not at all.
 */
function eventBodiesOf(kind: TopicKind, data: unknown): { ok: true } | { ok: false; detail: string } {
  if (kind === 'station_event') {
    const e = data as StationEventMessage;
    return checkEventBody(e.type, e.body);
  }
  if (kind === 'incident_snapshot') {
    for (const e of (data as IncidentSnapshotMessage).events) {
      const check = checkEventBody(e.type, e.body);
      if (!check.ok) return { ok: false, detail: `event ${e.eventId}: ${check.detail}` };
    }
  }
  return { ok: true };
}
