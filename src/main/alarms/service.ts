import { randomUUID } from 'node:crypto';
import { ok, refuse, type Result } from '../../shared/refusal';
import { performance } from 'node:perf_hooks';
import type { Alarm, AlarmPriority } from '../../shared/alarms';
import { topics, type AlarmSnapshotMessage, type AlertMessage, type StationEventMessage } from '../../shared/protocol';
import type { Auditor } from '../audit/auditor';
import type { StationEvents } from '../sync/station-events';
import type { Outbox } from '../sync/outbox';
import type { Logger } from '../log';
import type { Sql } from '../store/sql';
import type { Tables } from '../store/tables';
import { encodeHlc, type HybridClock } from '../sync/hlc';
import type { AlarmMetrics } from '../../shared/alarms';
import { needsAck } from './isa';
import { alarmMetrics } from './metrics';
import { replay, type JournalEvent, type JournalKind } from './journal';

export interface AlarmServiceDeps {
  sql: Sql;
  siteId: string;
  stationId: string;
  clock: HybridClock;
  events: Pick<StationEvents, 'publish'>;
  /** Retained snapshots of shared alarms go out through the outbox, like events. */
  outbox?: Pick<Outbox, 'enqueueSnapshot' | 'provide' | 'kick'>;
  auditor: Auditor;
  log: Logger;
  now: () => Date;
  /** Monotonic milliseconds for how long a shelf lasts here (default: performance.now()). */
  monotonic?: () => number;
  onChange: (alarm: Alarm) => void;
}

interface ActionBody {
  alarmId: string;
  hlc: string;
  actor: string;
  until?: string;
  reason?: string;
  note?: string;
}

/** A snapshot stays well inside the 2 MiB a station takes for one (src/main/field/ingest.ts). */
const SNAPSHOT_EVENTS = 2_000;

/** The actor of what the station does by itself (a shelf running out). */
const SYSTEM = 'system';

const OPERATOR_ACTIONS: Record<string, JournalKind> = {
  'alarm.ack': 'ack',
  'alarm.shelve': 'shelve',
  'alarm.unshelve': 'unshelve',
  'alarm.resolve': 'resolve',
};

/** The columns of an alarm row its view is made of. */
type AlarmRow = Pick<
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
  | 'resolved_at'
>;

/** A local condition's event not yet in the journal (the database refused the write). */
interface UnsavedEvent {
  alarmId: string;
  eventId: string;
  kind: JournalKind;
  sortKey: string;
  at: string;
  actor: string;
  body: JournalEvent['body'];
}

/**
 * Alarms from PipelineGuard and the operators' work on them, kept the same on every console:
 * each change is an event in the alarm's journal (field conditions by the field's time,
 * operators' actions by hybrid logical clock), and the alarm row is the journal's replay.
 */
export class AlarmService {
  private readonly localIds = new Set<string>();
  /** Local conditions' events waiting for the database to take writes, oldest first. */
  private readonly unsaved: UnsavedEvent[] = [];
  /** Each shelf in force (`<alarm>@<until>`): when it ends on the monotonic clock. */
  private readonly shelfDeadlines = new Map<string, number>();
  /** While a snapshot is merged: the alarms whose own snapshot waits for the merge to end. */
  private merging: Set<string> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: AlarmServiceDeps) {
    const prefix = topics.alarmSnapshot(d.siteId, '');
    d.outbox?.provide(prefix, (topic) => this.snapshotOf(topic.slice(prefix.length)));
  }

  /**
   * A condition of this station alone (its link down, its ingest overloaded): an alarm its
   * operators see and work, never shared with other consoles (docs/sync.md).
   */
  onLocalCondition(c: { id: string; active: boolean; priority: AlarmPriority; message: string; source: string }): void {
    const kind: JournalKind = c.active ? 'raise' : 'clear';
    const hlc = this.d.clock.now();
    this.localIds.add(c.id);
    const event: UnsavedEvent = {
      alarmId: c.id,
      eventId: `local:${c.id}:${kind}:${hlc}`,
      kind,
      sortKey: hlc,
      at: this.d.now().toISOString(),
      actor: c.source,
      body: { priority: c.priority, message: c.message, segment: null, source: c.source },
    };
    if (!this.unsaved.length) {
      try {
        this.recordUnsaved(event);
        return;
      } catch (err) {
        // The condition may be the database itself refusing writes: operators see the alarm
        // at once, from memory, and it is journalled as soon as the database takes writes.
        this.d.log.warn('a local alarm could not be saved; shown now and saved once the database takes writes', {
          alarm: c.id,
          error: err,
        });
      }
    }
    this.unsaved.push(event);
    this.d.onChange(this.get(c.id)!);
  }

  /** Journals local conditions that could not be saved when they happened, in order. */
  private saveUnsaved(): void {
    while (this.unsaved.length) {
      try {
        this.recordUnsaved(this.unsaved[0]!);
      } catch {
        return;
      }
      this.unsaved.shift();
    }
  }

  private recordUnsaved(e: UnsavedEvent): void {
    this.record(e.alarmId, e.eventId, e.kind, e.sortKey, e.at, e.actor, e.body, this.d.stationId, true);
  }

  private isLocal(alarmId: string): boolean {
    return (
      this.localIds.has(alarmId) ||
      this.d.sql.first(this.d.sql.q.selectFrom('alarms').select('local').where('id', '=', alarmId))?.local === 1
    );
  }

  /** Another console's retained journal of an alarm: what is missing here is applied, once. */
  mergeSnapshot(snap: AlarmSnapshotMessage): void {
    // One transaction, and one snapshot of ours afterwards rather than one per new event.
    const merging = (this.merging = new Set());
    try {
      this.d.sql.transaction(() => {
        for (const e of snap.events) {
          if (!e.sortKey.endsWith('-field')) this.d.clock.observe(e.sortKey);
          this.record(snap.id, e.eventId, e.kind, e.sortKey, e.at, e.actor, e.body as JournalEvent['body'], e.station);
        }
        if (merging.size) this.snapshot(snap.id);
      });
    } finally {
      this.merging = null;
    }
  }

  /**
   * Shelves that have run out: each returns its alarm with an `unshelve` in the journal, made
   * from the shelf's end (its id and sort key), so every station that notices it records the
   * same event, once, and snapshots carry it. Called every second while the station runs.
   */
  expireShelves(now = this.d.now()): void {
    // A shelf ends at its time on the wall clock, or once its length has passed on this
    // station's monotonic clock, whichever is first: a wall clock set back an hour does not
    // hide an alarm an hour longer (one set forward ends a shelf early, the safe side).
    const mono = this.monotonic();
    const shelved = this.d.sql.all(
      this.d.sql.q.selectFrom('alarms').select(['id', 'shelved_until', 'local']).where('shelved_until', 'is not', null),
    );
    const seen = new Set<string>();
    for (const { id, shelved_until: until, local } of shelved) {
      const key = `${id}@${until}`;
      seen.add(key);
      const deadline = this.shelfDeadlines.get(key) ?? this.shelfDeadline(key, now);
      if (until! > now.toISOString() && mono < deadline) continue;
      const sortKey = encodeHlc({ wall: Date.parse(until!), counter: 0, node: 'field' });
      const eventId = `shelf-expired:${id}:${until}`;
      const body = { until: until!, expired: true, reason: 'shelf expired' };
      if (!this.record(id, eventId, 'unshelve', sortKey, until!, SYSTEM, body, this.d.stationId, local === 1)) continue;
      this.d.auditor.record({
        actor: SYSTEM,
        action: 'alarm.shelf_expired',
        subject: id,
        result: 'ok',
        correlationId: eventId,
        detail: { until },
      });
    }
    for (const key of this.shelfDeadlines.keys()) if (!seen.has(key)) this.shelfDeadlines.delete(key);
  }

  /** Records (once) when the shelf `<alarm>@<until>` ends on the monotonic clock, seen from `now`. */
  private shelfDeadline(key: string, now: Date): number {
    const known = this.shelfDeadlines.get(key);
    if (known !== undefined) return known;
    const until = Date.parse(key.slice(key.lastIndexOf('@') + 1));
    const deadline = this.monotonic() + (until - now.getTime());
    this.shelfDeadlines.set(key, deadline);
    return deadline;
  }

  private monotonic(): number {
    return this.d.monotonic?.() ?? performance.now();
  }

  start(): void {
    this.timer = setInterval(() => {
      try {
        this.saveUnsaved();
        this.expireShelves();
      } catch (err) {
        // The database refusing writes (disk full): tried again next second.
        this.d.log.warn('alarm housekeeping failed; retrying', { error: err });
      }
    }, 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A PipelineGuard alert raised or cleared: the same event, with the same id, on every station. */
  onFieldAlert(a: AlertMessage): void {
    this.onCondition({
      id: a.id,
      active: a.status === 'raised',
      priority: a.severity,
      message: a.message,
      segment: a.segment,
      source: 'pipelineguard',
      ts: a.ts,
    });
  }

  /**
   * A condition the field reports (an alert, a valve in fault, a gateway gone): journalled
   * with the field's time as its sort key and an id made from it, so every station that sees
   * the same field message records the same event, once.
   */
  onCondition(c: {
    id: string;
    active: boolean;
    priority: AlarmPriority;
    message: string;
    segment: string | null;
    source: string;
    ts: string;
  }): void {
    const kind: JournalKind = c.active ? 'raise' : 'clear';
    const sortKey = encodeHlc({ wall: Date.parse(c.ts), counter: 0, node: 'field' });
    this.record(c.id, `field:${c.id}:${kind}:${c.ts}`, kind, sortKey, c.ts, c.source, {
      priority: c.priority,
      message: c.message,
      segment: c.segment,
      source: c.source,
    });
  }

  acknowledge(alarmId: string, actor: string): Result<Alarm> {
    const alarm = this.get(alarmId);
    if (!alarm) return refuse('not_found', `No alarm ${alarmId}.`);
    if (!needsAck(alarm.state)) return refuse('conflict', `${alarmId} has nothing to acknowledge.`);
    return this.act('alarm.ack', { alarmId, actor });
  }

  shelve(alarmId: string, actor: string, until: Date, reason: string): Result<Alarm> {
    if (!this.get(alarmId)) return refuse('not_found', `No alarm ${alarmId}.`);
    if (!reason.trim()) return refuse('conflict', 'Shelving needs a reason.');
    return this.act('alarm.shelve', { alarmId, actor, until: until.toISOString(), reason });
  }

  unshelve(alarmId: string, actor: string): Result<Alarm> {
    if (!this.get(alarmId)?.shelvedUntil) return refuse('conflict', `${alarmId} is not shelved.`);
    return this.act('alarm.unshelve', { alarmId, actor });
  }

  resolve(alarmId: string, actor: string, note: string): Result<Alarm> {
    const alarm = this.get(alarmId);
    if (!alarm) return refuse('not_found', `No alarm ${alarmId}.`);
    if (alarm.state === 'active_unacked' || alarm.state === 'active_acked')
      return refuse('conflict', `${alarmId} is still active: only a cleared alarm can be resolved.`);
    return this.act('alarm.resolve', { alarmId, actor, note });
  }

  /** An operator's event from any station (this one's echo is filtered out before). */
  applyEvent(e: StationEventMessage): void {
    const kind = OPERATOR_ACTIONS[e.type];
    if (!kind) return;
    const b = e.body as Partial<ActionBody>;
    if (typeof b.alarmId !== 'string' || typeof b.hlc !== 'string' || typeof b.actor !== 'string') {
      this.d.log.warn('alarm event without alarm, clock or actor ignored', { event: e.id, type: e.type });
      return;
    }
    this.d.clock.observe(b.hlc);
    this.record(
      b.alarmId,
      e.id,
      kind,
      b.hlc,
      e.ts,
      b.actor,
      { until: b.until, reason: b.reason, note: b.note },
      e.station,
    );
  }

  get(id: string): Alarm | null {
    if (this.unsaved.some((e) => e.alarmId === id)) return this.unsavedView(id);
    const r = this.d.sql.first(this.d.sql.q.selectFrom('alarms').selectAll().where('id', '=', id));
    return r ? this.toAlarm(id, r.valve_id, r) : null;
  }

  private toAlarm(id: string, valveId: string | null, r: AlarmRow): Alarm {
    return {
      id,
      siteId: r.site_id,
      source: r.source,
      priority: r.priority as Alarm['priority'],
      state: r.state as Alarm['state'],
      segment: r.segment,
      valveId,
      message: r.message,
      raisedAt: r.raised_at,
      clearedAt: r.cleared_at,
      ackedAt: r.acked_at,
      ackedBy: r.acked_by,
      shelvedUntil: r.shelved_until,
      shelvedBy: r.shelved_by,
      resolvedAt: r.resolved_at,
    };
  }

  /** A local alarm with events not yet journalled: the replay of its journal and those events. */
  private unsavedView(id: string): Alarm {
    const events = [
      ...this.journal(id),
      ...this.unsaved
        .filter((e) => e.alarmId === id)
        .map((e) => ({ kind: e.kind, sortKey: e.sortKey, at: e.at, actor: e.actor, body: e.body })),
    ];
    return this.toAlarm(id, null, this.rowOf(events));
  }

  list(): Alarm[] {
    const ids = this.d.sql
      .all(this.d.sql.q.selectFrom('alarms').select('id').orderBy('raised_at', 'desc'))
      .map((r) => r.id);
    // Not journalled yet (the database refused the write): the newest, first.
    const stored = new Set(ids);
    const waiting = [...new Set(this.unsaved.map((e) => e.alarmId))].filter((id) => !stored.has(id));
    return [...waiting, ...ids].map((id) => this.get(id)!);
  }

  journal(alarmId: string): JournalEvent[] {
    return this.d.sql
      .all(
        this.d.sql.q
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
        body: JSON.parse(r.body) as JournalEvent['body'],
      }));
  }

  /** Alarm-system performance now (raises in the last 10 minutes come from the journals). */
  metrics(now = this.d.now().getTime()): AlarmMetrics {
    const since = new Date(now - 600_000).toISOString();
    const raises = this.d.sql
      .all(
        this.d.sql.q
          .selectFrom('alarm_journal')
          .select(['alarm_id', 'at'])
          .where('transition', '=', 'raise')
          .where('at', '>=', since),
      )
      .map((r) => ({ alarmId: r.alarm_id, at: Date.parse(r.at) }));
    const alarms = this.list().map((a) => ({
      id: a.id,
      active: a.state === 'active_unacked' || a.state === 'active_acked',
      raisedAt: Date.parse(a.raisedAt),
      shelved: a.shelvedUntil !== null && Date.parse(a.shelvedUntil) > now,
    }));
    return alarmMetrics(raises, alarms, now);
  }

  /** The journal as the console shows it: who did what, when, and why. */
  history(alarmId: string): { kind: JournalKind; at: string; actor: string; note: string | null }[] {
    return this.journal(alarmId).map((e) => ({
      kind: e.kind,
      at: e.at,
      actor: e.actor,
      note: e.body.note ?? e.body.reason ?? e.body.message ?? null,
    }));
  }

  /** Publishes the operator's event (outbox) and applies it here in the same transaction. */
  private act(type: string, b: Omit<ActionBody, 'hlc'>): Result<Alarm> {
    const body: ActionBody = { ...b, hlc: this.d.clock.now() };
    const kind = OPERATOR_ACTIONS[type]!;
    if (this.isLocal(b.alarmId)) {
      // A station's own alarm (its link, its ingest) is worked here only: no event is shared.
      const id = `local:${randomUUID()}`;
      this.record(
        b.alarmId,
        id,
        kind,
        body.hlc,
        this.d.now().toISOString(),
        b.actor,
        { until: b.until, reason: b.reason, note: b.note },
        this.d.stationId,
      );
      this.d.auditor.record({
        actor: b.actor,
        action: type,
        subject: b.alarmId,
        result: 'ok',
        correlationId: id,
        detail: { local: true },
      });
      return ok(this.get(b.alarmId)!);
    }
    // The journal row, the outbox row and the applied id: one transaction.
    const event = this.d.events.publish(type, { ...body }, (e) =>
      this.record(
        b.alarmId,
        e.id,
        kind,
        body.hlc,
        e.ts,
        b.actor,
        { until: b.until, reason: b.reason, note: b.note },
        this.d.stationId,
      ),
    );
    const eventId = event.id;
    this.d.auditor.record({
      actor: b.actor,
      action: type,
      subject: b.alarmId,
      result: 'ok',
      correlationId: eventId,
      detail: { until: b.until, reason: b.reason, note: b.note },
    });
    return ok(this.get(b.alarmId)!);
  }

  /** Adds an event to the journal once (by id) and replays the alarm. */
  private record(
    alarmId: string,
    eventId: string,
    kind: JournalKind,
    sortKey: string,
    at: string,
    actor: string,
    body: JournalEvent['body'],
    station = 'field',
    local = false,
  ): boolean {
    const { sql } = this.d;
    const added = sql.transaction(() => {
      // The journal refers to its alarm: a first event creates the row, the replay fills it.
      sql.run(
        sql.q
          .insertInto('alarms')
          .values({
            id: alarmId,
            site_id: this.d.siteId,
            source: 'unknown',
            priority: 'low',
            state: 'normal',
            message: '',
            raised_at: at,
            hlc: '',
            local: local ? 1 : 0,
          })
          .onConflict((oc) => oc.column('id').doNothing()),
      );
      const inserted = sql.run(
        sql.q
          .insertInto('alarm_journal')
          .values({
            alarm_id: alarmId,
            at,
            transition: kind,
            actor,
            station_id: station,
            note: body.note ?? body.reason ?? null,
            event_id: eventId,
            sort_key: sortKey,
            body: JSON.stringify(body),
          })
          .onConflict((oc) => oc.column('event_id').where('event_id', 'is not', null).doNothing()),
      );
      if (inserted.changes === 0) return false;
      this.save(alarmId);
      // How long this shelf lasts here, measured from now on the monotonic clock.
      if (kind === 'shelve' && body.until) this.shelfDeadline(`${alarmId}@${body.until}`, this.d.now());
      if (local || this.localIds.has(alarmId)) return true;
      if (this.merging) this.merging.add(alarmId);
      else this.snapshot(alarmId);
      return true;
    });
    const alarm = added ? this.get(alarmId) : null;
    if (alarm) this.d.onChange(alarm);
    return added;
  }

  /** The alarm's retained snapshot is due (in the caller's transaction); built when sent. */
  private snapshot(alarmId: string): void {
    if (!this.d.outbox) return;
    this.d.outbox.enqueueSnapshot(topics.alarmSnapshot(this.d.siteId, alarmId));
    queueMicrotask(() => this.d.outbox?.kick());
  }

  /**
   * The alarm's journal as its snapshot: its latest SNAPSHOT_EVENTS events, enough to replay
   * its state (a chattering alarm's oldest raise and clear cycles are left out).
   */
  private snapshotOf(alarmId: string): string | null {
    const rows = this.d.sql
      .all(
        this.d.sql.q
          .selectFrom('alarm_journal')
          .select(['event_id', 'transition', 'sort_key', 'at', 'actor', 'station_id', 'body'])
          .where('alarm_id', '=', alarmId)
          .where('event_id', 'is not', null)
          .orderBy('sort_key', 'desc')
          .limit(SNAPSHOT_EVENTS),
      )
      .reverse();
    if (!rows.length) return null;
    const message: AlarmSnapshotMessage = {
      v: 1,
      id: alarmId,
      events: rows.map((r) => ({
        eventId: r.event_id!,
        kind: r.transition as JournalKind,
        sortKey: r.sort_key,
        at: r.at,
        actor: r.actor,
        station: r.station_id,
        body: JSON.parse(r.body) as Record<string, unknown>,
      })),
    };
    return JSON.stringify(message);
  }

  private save(alarmId: string): void {
    const row = this.rowOf(this.journal(alarmId));
    this.d.sql.run(
      this.d.sql.q
        .insertInto('alarms')
        .values({ id: alarmId, local: 0, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row)),
    );
  }

  /** The alarm row its journal replays to. */
  private rowOf(events: readonly JournalEvent[]) {
    const f = replay(events);
    return {
      site_id: this.d.siteId,
      source: f.source,
      priority: f.priority,
      state: f.state,
      segment: f.segment,
      message: f.message,
      raised_at: f.raisedAt ?? this.d.now().toISOString(),
      cleared_at: f.clearedAt,
      acked_at: f.ackedAt,
      acked_by: f.ackedBy,
      shelved_until: f.shelvedUntil,
      shelved_by: f.shelvedBy,
      shelve_reason: f.shelveReason,
      resolved_at: f.resolvedAt,
      resolved_by: f.resolvedBy,
      resolution_note: f.resolutionNote,
      hlc: events.at(-1)?.sortKey ?? '',
    };
  }
}
