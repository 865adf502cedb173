import type { z } from 'zod';
import {
  AlarmDefinitionsMessage,
  AlarmSnapshotMessage,
  AlertMessage,
  checkEventBody,
  IncidentSnapshotMessage,
  parseTopic,
  PROTOCOL_VERSION,
  PointMetaMessage,
  PresenceMessage,
  SiteMessage,
  StationEventMessage,
  TelemetryMessage,
  ValveAckMessage,
  ValveStateMessage,
  type TopicKind,
} from '../../shared/protocol';
import type { Quality } from '../../shared/quality';
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
};

/** Topic patterns for counters, so a flood of random ids does not grow the counter map. */
const patterns: Record<TopicKind, string> = {
  site: 'site',
  valve_state: 'valves/+/state',
  valve_command: 'valves/+/cmd',
  valve_ack: 'valves/+/ack',
  point_meta: 'points/+/meta',
  telemetry: 'points/+/sample',
  alert: 'alerts/+',
  station_event: 'events/+',
  station_presence: 'presence/stations/+',
  gateway_presence: 'presence/gateways/+',
  alarm_snapshot: 'snapshots/alarms/+',
  incident_snapshot: 'snapshots/incidents/+',
  alarm_definitions: 'alarm-definitions',
};

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
  /** A telemetry sample taken (limit alarms are evaluated on it): the hot path, keep it cheap. */
  onSample(point: string, ts: number, value: number, quality: string): void;
  /** A change operators should see at once (valve state, alert, presence). */
  onChange(kind: TopicKind, id: string): void;
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
    private readonly telemetry: Pick<Telemetry, 'record' | 'writer'>,
    private readonly counters: IngestCounters,
    private readonly hooks: IngestHooks,
    private readonly now: () => number,
  ) {
    this.writer = telemetry.writer;
  }

  handle(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t) return this.counters.reject('unknown_topic', 'other', topic.slice(0, 200));
    const pattern = patterns[t.kind];
    if (t.site !== this.state.siteId) return this.counters.reject('wrong_site', pattern, t.site);
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
    if (typeof json !== 'object' || json === null || (json as { v?: unknown }).v !== PROTOCOL_VERSION) {
      const v = typeof json === 'object' && json !== null ? (json as { v?: unknown }).v : undefined;
      return this.counters.reject(
        'version',
        pattern,
        `protocol version ${JSON.stringify(v) ?? 'missing'}, expected ${PROTOCOL_VERSION}`,
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
    try {
      this.apply(t.kind, t.id, parsed.data);
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

  valveState(id: string, m: ValveStateMessage, receivedAt = this.now()): void {
    this.state.valves.set(id, { msg: m, receivedAt });
    this.state.dirtyValves.add(id);
    this.writer.addValve(m, id, new Date(receivedAt).toISOString());
    return this.hooks.onChange('valve_state', id);
  }

  pointMeta(id: string, m: PointMetaMessage): void {
    this.state.point(id).meta = m;
    this.state.dirtyPoints.add(id);
    return this.writer.addMeta(id, m);
  }

  site(m: SiteMessage): void {
    this.state.site = { name: m.name, demo: m.demo, segments: m.segments };
    this.state.siteChanged = true;
    this.writer.setSite(m);
    return this.hooks.onChange('site', this.state.siteId);
  }

  gatewayPresence(id: string, online: boolean, announce = true): void {
    this.state.gateways.set(id, online);
    this.state.markGateway(id);
    if (announce) this.hooks.onChange('gateway_presence', id);
  }

  private apply(kind: TopicKind, id: string, data: unknown): void {
    const receivedAt = this.now();
    switch (kind) {
      case 'telemetry': {
        const m = data as TelemetryMessage;
        return this.sample(id, Date.parse(m.ts), m.value, m.quality, receivedAt);
      }
      case 'valve_state':
        return this.valveState(id, data as ValveStateMessage, receivedAt);
      case 'point_meta':
        return this.pointMeta(id, data as PointMetaMessage);
      case 'site':
        return this.site(data as SiteMessage);
      case 'alert':
        this.hooks.onAlert(data as AlertMessage);
        return this.hooks.onChange(kind, id);
      case 'gateway_presence':
        return this.gatewayPresence(id, (data as PresenceMessage).status === 'online');
      case 'station_presence':
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
      default:
        return;
    }
  }
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
