import { randomUUID } from 'node:crypto';
import type { Incident, IncidentStatus, NewIncident } from '../../shared/incidents';
import { ok, refuse, type Result } from '../../shared/refusal';
import {
  PROTOCOL_VERSION,
  topics,
  type IncidentSnapshotMessage,
  type StationEventMessage,
} from '../../shared/protocol';
import type { Auditor } from '../audit/auditor';
import type { Outbox } from '../sync/outbox';
import type { StationEvents } from '../sync/station-events';
import type { Logger } from '../log';
import { Snapshots } from '../sync/snapshots';
import type { Sql } from '../store/sql';
import type { HybridClock } from '../sync/hlc';
import {
  SqlIncidentStore,
  type IncidentField,
  type IncidentLink,
  type IncidentStore,
  type TimelineEntry,
} from './store';

const FIELDS: IncidentField[] = ['title', 'severity', 'status', 'assignee', 'description'];
const ORDER: IncidentStatus[] = ['open', 'investigating', 'mitigated', 'resolved'];
/** A snapshot stays well inside the 2 MiB a station takes for one (src/main/field/ingest.ts). */
const SNAPSHOT_EVENTS = 2_000;

export interface IncidentServiceDeps {
  sql: Sql;
  siteId: string;
  /** This station: its snapshots are retained under its own id (protocol v2). */
  stationId: string;
  clock: HybridClock;
  events: Pick<StationEvents, 'publish'>;
  /** Retained snapshots of incidents go out through the outbox, like events. */
  outbox?: Pick<Outbox, 'enqueueSnapshot' | 'provide' | 'kick'>;
  auditor: Auditor;
  log: Logger;
  now: () => Date;
  onChange: (incident: Incident) => void;
  /** What an incident may link to: the site's alarms, valves and segments as this station knows them. */
  known: { alarm(id: string): boolean; valve(id: string): boolean; segment(id: string): boolean };
}

/**
 * Incidents, consistent across consoles: every change is a station event; each field is
 * last-writer-wins by hybrid logical clock (the clock of its last write is kept per field)
 * and the timeline is a set of entries keyed by event id, so every note appears once.
 */
export class IncidentService {
  private readonly store: IncidentStore;
  private readonly snapshots: Snapshots;

  constructor(private readonly d: IncidentServiceDeps) {
    this.store = new SqlIncidentStore(d.sql, d.siteId);
    this.snapshots = new Snapshots(
      d.outbox,
      (id) => topics.incidentSnapshot(d.siteId, d.stationId, id),
      (id) => this.snapshotOf(id),
    );
  }

  create(actor: string, n: NewIncident): Result<Incident> {
    if (!n.title.trim()) return refuse('conflict', 'An incident needs a title.');
    const unknown = this.unknownLink(n);
    if (unknown) return refuse('invalid_input', unknown.message, { field: unknown.field });
    const incidentId = `inc-${randomUUID().slice(0, 8)}`;
    this.emit('incident.create', { incidentId, actor, ...n });
    return ok(this.get(incidentId)!);
  }

  update(
    actor: string,
    incidentId: string,
    fields: Partial<Pick<Incident, IncidentField>>,
    reason?: string,
  ): Result<Incident> {
    const current = this.get(incidentId);
    if (!current) return refuse('not_found', `No incident ${incidentId}.`);
    if (fields.status && fields.status !== current.status) {
      const back = ORDER.indexOf(fields.status) < ORDER.indexOf(current.status);
      if (back && !reason?.trim()) return refuse('conflict', 'Reopening or stepping an incident back needs a reason.');
      const critical = (fields.severity ?? current.severity) === 'critical';
      if (fields.status === 'resolved' && critical && !reason?.trim())
        return refuse('conflict', 'Resolving a critical incident needs a resolution note.');
    }
    const changed = Object.fromEntries(
      Object.entries(fields).filter(([k, v]) => v !== undefined && current[k as IncidentField] !== v),
    );
    if (!Object.keys(changed).length) return refuse('conflict', 'Nothing changes.');
    this.emit('incident.update', { incidentId, actor, fields: changed, reason: reason ?? null });
    return ok(this.get(incidentId)!);
  }

  /** The first link to something this site does not have (an alarm, a valve, a segment), or null. */
  private unknownLink(n: NewIncident): { field: string; message: string } | null {
    const { known } = this.d;
    // Callers inside the station may leave out what the contract defaults (no segment, no links).
    const { segment = null, valves = [], alarms = [] } = n;
    if (segment !== null && !known.segment(segment))
      return { field: 'segment', message: `No segment ${segment} on this site.` };
    const valve = valves.findIndex((v) => !known.valve(v));
    if (valve >= 0) return { field: `valves.${valve}`, message: `No valve ${valves[valve]} on this site.` };
    const alarm = alarms.findIndex((a) => !known.alarm(a));
    if (alarm >= 0) return { field: `alarms.${alarm}`, message: `No alarm ${alarms[alarm]} on this site.` };
    return null;
  }

  note(actor: string, incidentId: string, text: string): Result<Incident> {
    if (!this.get(incidentId)) return refuse('not_found', `No incident ${incidentId}.`);
    if (!text.trim()) return refuse('conflict', 'A note needs text.');
    this.emit('incident.note', { incidentId, actor, text });
    return ok(this.get(incidentId)!);
  }

  /** An incident event from any station (ingest checked its body; our own echo never gets here). */
  applyEvent(e: StationEventMessage): void {
    if (!e.type.startsWith('incident.')) return;
    const b = e.body as unknown as Body;
    this.d.clock.observe(b.hlc);
    this.apply([{ eventId: e.id, type: e.type, at: e.ts, body: b }]);
  }

  /** Another console's retained event log of an incident: what is missing here is applied, once. */
  mergeSnapshot(snap: IncidentSnapshotMessage): void {
    const events = snap.events
      .map((e) => ({ eventId: e.eventId, type: e.type, at: e.at, body: e.body as unknown as Body }))
      .filter((e) => e.body.incidentId === snap.id);
    for (const e of events) this.d.clock.observe(e.body.hlc);
    this.apply(events);
  }

  get(id: string): Incident | null {
    return this.store.incident(id);
  }

  list(): Incident[] {
    return this.store.incidents();
  }

  timeline(id: string): TimelineEntry[] {
    return this.store.timelineOf(id);
  }

  links(id: string): IncidentLink[] {
    return this.store.linksOf(id);
  }

  private emit(type: string, body: Omit<Body, 'hlc'>): void {
    const full = { ...body, hlc: this.d.clock.now() } as Body;
    const event = this.d.events.publish(type, { ...full }, (e) =>
      this.apply([{ eventId: e.id, type, at: e.ts, body: full }]),
    );
    this.d.auditor.record({
      actor: body.actor,
      action: type,
      subject: body.incidentId,
      result: 'ok',
      correlationId: event.id,
      detail: { fields: body.fields, reason: body.reason },
    });
  }

  /**
   * Applies events (in one transaction, the caller's if there is one); those already here
   * change nothing. If any was new, the incident's snapshot is queued and consoles told.
   */
  private apply(events: Applied[]): void {
    const incidentId = events[0]?.body.incidentId;
    if (!incidentId) return;
    let fresh = 0;
    this.d.sql.transaction(() => {
      for (const e of events) if (this.applyOne(e)) fresh++;
      if (fresh) this.snapshots.due(incidentId);
    });
    const incident = fresh ? this.get(incidentId) : null;
    if (incident) this.d.onChange(incident);
  }

  private applyOne({ eventId, type, at, body: b }: Applied): boolean {
    const note =
      type === 'incident.note' ? (b.text ?? '') : type === 'incident.create' ? `created: ${b.title}` : describe(b);
    const added = this.store.addEvent({
      id: eventId,
      incidentId: b.incidentId,
      at,
      author: b.actor,
      kind: type.slice('incident.'.length),
      note,
      hlc: b.hlc,
      body: b,
    });
    if (!added) return false;
    this.mergeFields(type, at, b);
    if (type === 'incident.create') this.link(b);
    return true;
  }

  /** Last writer wins per field, by hybrid logical clock. */
  private mergeFields(type: string, at: string, b: Body): void {
    const clocks = this.store.fieldClocks(b.incidentId);
    const values: Record<string, unknown> =
      type === 'incident.create'
        ? { title: b.title, severity: b.severity, status: 'open', description: b.description ?? '', assignee: null }
        : (b.fields ?? {});
    const set: Record<string, unknown> = {};
    for (const f of FIELDS) {
      if (!(f in values)) continue;
      if ((clocks[f] ?? '') < b.hlc) {
        set[f] = values[f];
        clocks[f] = b.hlc;
      }
    }
    const created =
      type === 'incident.create' ? { segment: b.segment ?? null, createdBy: b.actor, createdAt: at } : undefined;
    this.store.writeFields(b.incidentId, { fields: set, clocks, at, created });
  }

  private link(b: Body): void {
    this.store.link(b.incidentId, 'valve', b.valves ?? []);
    this.store.link(b.incidentId, 'alarm', b.alarms ?? []);
  }

  /** The incident's event log as its snapshot: the create and the latest SNAPSHOT_EVENTS - 1. */
  private snapshotOf(incidentId: string): IncidentSnapshotMessage | null {
    const events = this.store.snapshotEvents(incidentId, SNAPSHOT_EVENTS);
    return events.length ? { v: PROTOCOL_VERSION, id: incidentId, events } : null;
  }
}

interface Applied {
  eventId: string;
  type: string;
  at: string;
  body: Body;
}

interface Body {
  incidentId: string;
  hlc: string;
  actor: string;
  title?: string;
  severity?: Incident['severity'];
  description?: string;
  segment?: string | null;
  valves?: string[];
  alarms?: string[];
  fields?: Record<string, unknown>;
  reason?: string | null;
  text?: string;
}

function describe(b: Body): string {
  const parts = Object.entries(b.fields ?? {}).map(([k, v]) => `${k} → ${String(v)}`);
  return b.reason ? `${parts.join(', ')} (${b.reason})` : parts.join(', ');
}
