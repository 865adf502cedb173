import type { Alarm, AlarmPriority, AlarmState } from '../../shared/alarms';
import type { LimitCondition } from '../../shared/limits';
import type { AlarmSnapshotMessage } from '../../shared/protocol';
import type { Sql } from '../store/sql';
import type { Tables } from '../store/tables';
import { replay, type JournalEvent, type JournalKind } from './journal';
import type { RaiseRecord } from './metrics';

/** An event to add to an alarm's journal: the event, its alarm, its id and where it was recorded. */
export interface JournalRecord extends JournalEvent {
  alarmId: string;
  /** Each id is journalled once: the same event from another path changes nothing. */
  eventId: string;
  /** The station that recorded it (`field` for what the field reported). */
  station: string;
  /** Of this station's own alarm, never shared (a first event marks the alarm's row local). */
  local: boolean;
}

/** An alarm on a shelf, and when the shelf ends on the wall clock. */
export interface ShelvedAlarm {
  id: string;
  until: string;
  local: boolean;
}

/** One event as an alarm's snapshot carries it to other consoles. */
export type SnapshotEvent = AlarmSnapshotMessage['events'][number];

/**
 * What the alarm service keeps in the store, in its words: each alarm's journal of events, and
 * the alarm's row, the replay of that journal (src/main/alarms/journal.ts).
 */
export interface AlarmStore {
  /** The alarm as its row holds it. */
  alarm(id: string): Alarm | null;
  /** Every stored alarm's id, the newest raised first. */
  alarmIds(): string[];
  /** Whether the alarm is this station's own (its link, its ingest): never shared. */
  isLocal(id: string): boolean;
  /** The alarms on a shelf. */
  shelvedAlarms(): ShelvedAlarm[];
  /** The alarm's journal in replay order. */
  journalOf(alarmId: string): JournalEvent[];
  /** The alarm's latest `count` events, oldest first, as its snapshot carries them. */
  snapshotEvents(alarmId: string, count: number): SnapshotEvent[];
  /** Every raise journalled at or after `since`. */
  raisesSince(since: string): RaiseRecord[];
  /**
   * Adds an event to the journal once (by id) and stores the alarm its journal replays to;
   * false when the event was there already.
   */
  addEvent(e: JournalRecord): boolean;
  /** The alarm these events replay to, stored or not (a local alarm the database refused). */
  replayed(alarmId: string, events: readonly JournalEvent[]): Alarm;
}

/** The columns of an alarm row its view is made of (as read: `suppressed` is a number). */
type AlarmRow = { suppressed: number } & Pick<
  Tables['alarms'],
  | 'site_id'
  | 'source'
  | 'priority'
  | 'state'
  | 'segment'
  | 'message'
  | 'raised_at'
  | 'cleared_at'
  | 'acked_at'
  | 'acked_by'
  | 'shelved_until'
  | 'shelved_by'
  | 'shelve_reason'
  | 'resolved_at'
  | 'point_id'
  | 'condition'
  | 'limit_value'
  | 'value'
>;

function toAlarm(id: string, valveId: string | null, r: AlarmRow): Alarm {
  return {
    id,
    siteId: r.site_id,
    source: r.source,
    priority: r.priority as AlarmPriority,
    state: r.state as AlarmState,
    segment: r.segment,
    valveId,
    message: r.message,
    raisedAt: r.raised_at,
    clearedAt: r.cleared_at,
    ackedAt: r.acked_at,
    ackedBy: r.acked_by,
    shelvedUntil: r.shelved_until,
    shelvedBy: r.shelved_by,
    shelveReason: r.shelve_reason,
    resolvedAt: r.resolved_at,
    limit:
      r.point_id && r.condition
        ? {
            point: r.point_id,
            condition: r.condition as LimitCondition,
            setpoint: r.limit_value,
            value: r.value,
          }
        : null,
    suppressed: r.suppressed === 1,
  };
}

const parseBody = (body: string) => JSON.parse(body) as JournalEvent['body'];

/** The alarm store on the station's database. */
export class SqlAlarmStore implements AlarmStore {
  constructor(
    private readonly sql: Sql,
    private readonly siteId: string,
    private readonly now: () => Date,
  ) {}

  alarm(id: string): Alarm | null {
    const r = this.sql.first(this.sql.q.selectFrom('alarms').selectAll().where('id', '=', id));
    return r ? toAlarm(id, r.valve_id, r) : null;
  }

  alarmIds(): string[] {
    return this.sql.all(this.sql.q.selectFrom('alarms').select('id').orderBy('raised_at', 'desc')).map((r) => r.id);
  }

  isLocal(id: string): boolean {
    return this.sql.first(this.sql.q.selectFrom('alarms').select('local').where('id', '=', id))?.local === 1;
  }

  shelvedAlarms(): ShelvedAlarm[] {
    return this.sql
      .all(
        this.sql.q.selectFrom('alarms').select(['id', 'shelved_until', 'local']).where('shelved_until', 'is not', null),
      )
      .map((r) => ({ id: r.id, until: r.shelved_until!, local: r.local === 1 }));
  }

  journalOf(alarmId: string): JournalEvent[] {
    return this.sql
      .all(
        this.sql.q
          .selectFrom('alarm_journal')
          .selectAll()
          .where('alarm_id', '=', alarmId)
          .orderBy('sort_key')
          .orderBy('event_id'),
      )
      .map((r) => ({
        kind: r.transition as JournalKind,
        sortKey: r.sort_key,
        at: r.at,
        actor: r.actor,
        body: parseBody(r.body),
      }));
  }

  snapshotEvents(alarmId: string, count: number): SnapshotEvent[] {
    return this.sql
      .all(
        this.sql.q
          .selectFrom('alarm_journal')
          .select(['event_id', 'transition', 'sort_key', 'at', 'actor', 'station_id', 'body'])
          .where('alarm_id', '=', alarmId)
          .where('event_id', 'is not', null)
          .orderBy('sort_key', 'desc')
          .limit(count),
      )
      .reverse()
      .map((r) => ({
        eventId: r.event_id!,
        kind: r.transition as JournalKind,
        sortKey: r.sort_key,
        at: r.at,
        actor: r.actor,
        station: r.station_id,
        body: parseBody(r.body),
      }));
  }

  raisesSince(since: string): RaiseRecord[] {
    return (
      this.sql
        .all(
          this.sql.q
            .selectFrom('alarm_journal')
            .select(['alarm_id', 'at', 'body'])
            .where('transition', '=', 'raise')
            .where('at', '>=', since),
        )
        // A suppressed raise is not annunciated: the operator was not asked to act on it.
        .filter((r) => !(r.body && (parseBody(r.body).suppressed ?? false)))
        .map((r) => ({ alarmId: r.alarm_id, at: Date.parse(r.at) }))
    );
  }

  addEvent(e: JournalRecord): boolean {
    return this.sql.transaction(() => {
      // The journal refers to its alarm: a first event creates the row, the replay fills it.
      this.sql.run(
        this.sql.q
          .insertInto('alarms')
          .values({
            id: e.alarmId,
            site_id: this.siteId,
            source: 'unknown',
            priority: 'low',
            state: 'normal',
            message: '',
            raised_at: e.at,
            hlc: '',
            local: e.local ? 1 : 0,
          })
          .onConflict((oc) => oc.column('id').doNothing()),
      );
      const inserted = this.sql.run(
        this.sql.q
          .insertInto('alarm_journal')
          .values({
            alarm_id: e.alarmId,
            at: e.at,
            transition: e.kind,
            actor: e.actor,
            station_id: e.station,
            note: e.body.note ?? e.body.reason ?? null,
            event_id: e.eventId,
            sort_key: e.sortKey,
            body: JSON.stringify(e.body),
          })
          .onConflict((oc) => oc.column('event_id').where('event_id', 'is not', null).doNothing()),
      );
      if (inserted.changes === 0) return false;
      this.saveReplay(e.alarmId);
      return true;
    });
  }

  replayed(alarmId: string, events: readonly JournalEvent[]): Alarm {
    return toAlarm(alarmId, null, this.rowOf(events));
  }

  /** Stores the alarm row its journal replays to. */
  private saveReplay(alarmId: string): void {
    const row = this.rowOf(this.journalOf(alarmId));
    this.sql.run(
      this.sql.q
        .insertInto('alarms')
        .values({ id: alarmId, local: 0, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row)),
    );
  }

  /** The alarm row its journal replays to. */
  private rowOf(events: readonly JournalEvent[]) {
    const f = replay(events);
    return {
      site_id: this.siteId,
      source: f.source,
      priority: f.priority,
      state: f.state,
      segment: f.segment,
      message: f.message,
      raised_at: f.raisedAt ?? this.now().toISOString(),
      cleared_at: f.clearedAt,
      acked_at: f.ackedAt,
      acked_by: f.ackedBy,
      shelved_until: f.shelvedUntil,
      shelved_by: f.shelvedBy,
      shelve_reason: f.shelveReason,
      resolved_at: f.resolvedAt,
      resolved_by: f.resolvedBy,
      resolution_note: f.resolutionNote,
      point_id: f.limit?.point ?? null,
      condition: f.limit?.condition ?? null,
      limit_value: f.limit?.setpoint ?? null,
      value: f.limit?.value ?? null,
      suppressed: f.suppressed ? 1 : 0,
      hlc: events.at(-1)?.sortKey ?? '',
    };
  }
}
