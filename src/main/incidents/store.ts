import type { Incident, IncidentStatus } from '../../shared/incidents';
import type { IncidentSnapshotMessage } from '../../shared/protocol';
import type { Sql } from '../store/sql';

/** A field of an incident that each write sets last-writer-wins. */
export type IncidentField = 'title' | 'severity' | 'status' | 'assignee' | 'description';

/** The clock of each field's last write. */
export type FieldClocks = Partial<Record<IncidentField, string>>;

/** One entry of an incident's timeline, as the console shows it (its id is its event's). */
export interface TimelineEntry {
  id: string;
  at: string;
  author: string;
  /** The event's type without `incident.`: create, update or note. */
  kind: string;
  note: string;
}

/** An incident event as its timeline keeps it. */
export interface TimelineEvent extends TimelineEntry {
  incidentId: string;
  hlc: string;
  /** The event's body, as other consoles get it in the incident's snapshot. */
  body: object;
}

/** What an event changes in its incident. */
export interface FieldWrite {
  /** The fields this write wins (by its clock), with their new values. */
  fields: Record<string, unknown>;
  /** Every field's clock once this write is merged. */
  clocks: FieldClocks;
  at: string;
  /** For the create: where and by whom the incident was opened. */
  created?: { segment: string | null; createdBy: string; createdAt: string };
}

/** A valve or alarm an incident names. */
export interface IncidentLink {
  kind: string;
  targetId: string;
}

/** One event as an incident's snapshot carries it to other consoles. */
export type SnapshotEvent = IncidentSnapshotMessage['events'][number];

/**
 * What the incident service keeps in the store, in its words: each incident's row (its fields
 * and the clock of each field's last write), its timeline (one entry per event, by id) and
 * the valves and alarms it names.
 */
export interface IncidentStore {
  /** The incident, once its create is here. */
  incident(id: string): Incident | null;
  /** Every incident whose create is here, the newest first. */
  incidents(): Incident[];
  /** The incident's timeline in clock order. */
  timelineOf(id: string): TimelineEntry[];
  linksOf(id: string): IncidentLink[];
  /** The incident's create and its latest `count - 1` other events, in clock order, as its snapshot carries them. */
  snapshotEvents(incidentId: string, count: number): SnapshotEvent[];
  /** Adds the event to the incident's timeline once (by id); false when it was there already. */
  addEvent(e: TimelineEvent): boolean;
  fieldClocks(incidentId: string): FieldClocks;
  writeFields(incidentId: string, w: FieldWrite): void;
  /** Records the valves or alarms the incident names (each once). */
  link(incidentId: string, kind: 'valve' | 'alarm', targetIds: readonly string[]): void;
}

/** The incident store on the station's database. */
export class SqlIncidentStore implements IncidentStore {
  constructor(
    private readonly sql: Sql,
    private readonly siteId: string,
  ) {}

  incident(id: string): Incident | null {
    const r = this.sql.first(this.sql.q.selectFrom('incidents').selectAll().where('id', '=', id));
    // A row without a title waits for its create.
    if (!r || !r.title) return null;
    return {
      id: r.id,
      siteId: r.site_id,
      title: r.title,
      severity: r.severity as Incident['severity'],
      status: r.status as IncidentStatus,
      description: r.description,
      segment: r.segment,
      assignee: r.assignee,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  incidents(): Incident[] {
    return this.sql
      .all(this.sql.q.selectFrom('incidents').select('id').orderBy('created_at', 'desc'))
      .flatMap((r) => this.incident(r.id) ?? []);
  }

  timelineOf(id: string): TimelineEntry[] {
    return this.sql.all(
      this.sql.q
        .selectFrom('incident_timeline')
        .select(['id', 'at', 'author', 'kind', 'note'])
        .where('incident_id', '=', id)
        .orderBy('hlc')
        .orderBy('id'),
    );
  }

  linksOf(id: string): IncidentLink[] {
    return this.sql
      .all(this.sql.q.selectFrom('incident_links').select(['kind', 'target_id']).where('incident_id', '=', id))
      .map((l) => ({ kind: l.kind, targetId: l.target_id }));
  }

  snapshotEvents(incidentId: string, count: number): SnapshotEvent[] {
    const rows = this.sql.all(
      this.sql.q
        .selectFrom('incident_timeline')
        .select(['id', 'kind', 'at', 'body'])
        .where('incident_id', '=', incidentId)
        .where('body', 'is not', null)
        .orderBy('hlc')
        .orderBy('id'),
    );
    const kept =
      rows.length <= count
        ? rows
        : [...rows.filter((r) => r.kind === 'create'), ...rows.filter((r) => r.kind !== 'create').slice(-(count - 1))];
    return kept.map((r) => ({
      eventId: r.id,
      type: `incident.${r.kind}` as SnapshotEvent['type'],
      at: r.at,
      body: JSON.parse(r.body!) as Record<string, unknown>,
    }));
  }

  addEvent(e: TimelineEvent): boolean {
    return this.sql.transaction(() => {
      // A placeholder lets an update or note that overtook its create be kept; the create fills it.
      this.sql.run(
        this.sql.q
          .insertInto('incidents')
          .values({
            id: e.incidentId,
            site_id: this.siteId,
            title: '',
            severity: 'low',
            status: 'open',
            description: '',
            created_by: e.author,
            created_at: e.at,
            updated_at: e.at,
            hlc: e.hlc,
            field_hlc: '{}',
          })
          .onConflict((oc) => oc.column('id').doNothing()),
      );
      // The timeline is a set keyed by event id: an event already in it was applied before.
      const added = this.sql.run(
        this.sql.q
          .insertInto('incident_timeline')
          .values({
            id: e.id,
            incident_id: e.incidentId,
            at: e.at,
            author: e.author,
            kind: e.kind,
            note: e.note,
            hlc: e.hlc,
            body: JSON.stringify(e.body),
          })
          .onConflict((oc) => oc.column('id').doNothing()),
      );
      return added.changes > 0;
    });
  }

  fieldClocks(incidentId: string): FieldClocks {
    const row = this.sql.first(this.sql.q.selectFrom('incidents').select(['field_hlc']).where('id', '=', incidentId))!;
    return JSON.parse(row.field_hlc) as FieldClocks;
  }

  writeFields(incidentId: string, w: FieldWrite): void {
    const created = w.created
      ? { segment: w.created.segment, created_by: w.created.createdBy, created_at: w.created.createdAt }
      : {};
    this.sql.run(
      this.sql.q
        .updateTable('incidents')
        .set({ ...w.fields, ...created, field_hlc: JSON.stringify(w.clocks), updated_at: w.at })
        .where('id', '=', incidentId),
    );
  }

  link(incidentId: string, kind: 'valve' | 'alarm', targetIds: readonly string[]): void {
    for (const target of targetIds)
      this.sql.run(
        this.sql.q
          .insertInto('incident_links')
          .values({ incident_id: incidentId, kind, target_id: target })
          .onConflict((oc) => oc.doNothing()),
      );
  }
}
