import { randomUUID } from 'node:crypto';
import { ok, refuse, type Result } from '../../shared/refusal';
import { performance } from 'node:perf_hooks';
import type { Alarm, AlarmPriority } from '../../shared/alarms';
import {
  PROTOCOL_VERSION,
  topics,
  type AlarmSnapshotMessage,
  type AlertMessage,
  type StationEventMessage,
} from '../../shared/protocol';
import type { Auditor } from '../audit/auditor';
import type { StationEvents } from '../sync/station-events';
import type { Outbox } from '../sync/outbox';
import { guardTick, type Logger } from '../log';
import { Snapshots } from '../sync/snapshots';
import type { Sql } from '../store/sql';
import { isRefusedWrite } from '../store/storage-watch';
import { encodeHlc, type HybridClock } from '../sync/hlc';
import type { AlarmMetrics } from '../../shared/alarms';
import { needsAck } from './isa';
import { alarmMetrics, EEMUA_WINDOW_MS } from './metrics';
import type { JournalEvent, JournalKind } from './journal';
import { ShelfDeadlines } from './shelves';
import { SqlAlarmStore, type AlarmStore, type JournalRecord } from './store';

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

/** The station of what the field reports. */
const FIELD = 'field';

/**
 * Events kept in memory while the database refuses writes, at most: a disk full for hours
 * under a flood of field alerts must not exhaust memory. Beyond it a new event is dropped
 * (logged), as every event was before events were kept.
 */
const MAX_UNSAVED = 5_000;

const OPERATOR_ACTIONS: Record<string, JournalKind> = {
  'alarm.ack': 'ack',
  'alarm.shelve': 'shelve',
  'alarm.unshelve': 'unshelve',
  'alarm.resolve': 'resolve',
};

/**
 * Alarms from PipelineGuard and the operators' work on them, kept the same on every console:
 * each change is an event in the alarm's journal (field conditions by the field's time,
 * operators' actions by hybrid logical clock), and the alarm row is the journal's replay.
 */
export class AlarmService {
  private readonly store: AlarmStore;
  private readonly snapshots: Snapshots;
  private readonly localIds = new Set<string>();
  /**
   * Events the database refused (a full disk), oldest first: conditions (this station's, the
   * field's, limits') and shelves that ran out. Operators see them at once, from memory; they
   * are journalled as soon as the database takes writes.
   */
  private readonly unsaved: JournalRecord[] = [];
  /** Set while events are dropped because MAX_UNSAVED wait already (one warning per episode). */
  private overflowing = false;
  private readonly shelves: ShelfDeadlines;
  /** While a snapshot is merged: the alarms whose own snapshot waits for the merge to end. */
  private merging: Set<string> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: AlarmServiceDeps) {
    this.store = new SqlAlarmStore(d.sql, d.siteId, d.now);
    this.shelves = new ShelfDeadlines(() => d.monotonic?.() ?? performance.now());
    this.snapshots = new Snapshots(
      d.outbox,
      (id) => topics.alarmSnapshot(d.siteId, d.stationId, id),
      (id) => this.snapshotOf(id),
    );
  }

  /**
   * A condition of this station alone (its link down, its ingest overloaded): an alarm its
   * operators see and work, never shared with other consoles (docs/sync.md).
   */
  onLocalCondition(c: { id: string; active: boolean; priority: AlarmPriority; message: string; source: string }): void {
    const kind: JournalKind = c.active ? 'raise' : 'clear';
    const hlc = this.d.clock.now();
    this.localIds.add(c.id);
    const event: JournalRecord = {
      alarmId: c.id,
      eventId: `local:${c.id}:${kind}:${hlc}`,
      kind,
      sortKey: hlc,
      at: this.d.now().toISOString(),
      actor: c.source,
      body: { priority: c.priority, message: c.message, segment: null, source: c.source },
      station: this.d.stationId,
      local: true,
    };
    // The condition may be the database itself refusing writes: whatever the failure, the
    // operators see the alarm.
    this.journalOrKeep(event, () => true);
  }

  /**
   * Journals an event; if it cannot be (`keep` says which failures), operators see it at once,
   * from memory, and it is journalled as soon as the database takes writes. Once one waits,
   * the next go behind it without trying the database (the housekeeping tick does).
   */
  private journalOrKeep(e: JournalRecord, keep: (err: unknown) => boolean): void {
    if (!this.unsaved.length) {
      try {
        this.save(e);
        return;
      } catch (err) {
        if (!keep(err)) throw err;
        this.d.log.warn('an alarm event could not be saved; shown now and saved once the database takes writes', {
          alarm: e.alarmId,
          kind: e.kind,
          error: err,
        });
      }
    }
    if (this.unsaved.some((u) => u.eventId === e.eventId)) return;
    if (this.unsaved.length >= MAX_UNSAVED) {
      if (!this.overflowing)
        this.d.log.error('too many alarm events wait for the database to take writes; new ones are dropped', {
          waiting: this.unsaved.length,
        });
      this.overflowing = true;
      return;
    }
    this.unsaved.push(e);
    this.d.onChange(this.get(e.alarmId)!);
  }

  /** Journals the events the database refused when they happened, oldest first. */
  private saveUnsaved(): void {
    const waiting = this.unsaved.length;
    while (this.unsaved.length) {
      const e = this.unsaved[0]!;
      try {
        this.save(e);
      } catch (err) {
        // Still refused: the next tick tries again.
        if (isRefusedWrite(err)) return;
        // Anything else would fail forever (a bug): it must not hold up the events behind it.
        this.d.log.error('an alarm event could not be journalled; dropped', { alarm: e.alarmId, error: err });
        this.unsaved.shift();
        this.d.onChange(this.get(e.alarmId)!);
        continue;
      }
      this.unsaved.shift();
    }
    this.overflowing = false;
    if (waiting) this.d.log.info('alarm events kept while the database refused writes are journalled', { waiting });
  }

  /** Journals an event (a shelf's expiry with its audit entry, in one transaction); false if it was there. */
  private save(e: JournalRecord): boolean {
    if (e.kind !== 'unshelve' || !e.body.expired) return this.record(e);
    return this.d.sql.transaction(() => {
      const added = this.record(e);
      if (added)
        this.d.auditor.record({
          actor: SYSTEM,
          action: 'alarm.shelf_expired',
          subject: e.alarmId,
          result: 'ok',
          correlationId: e.eventId,
          detail: { until: e.body.until },
        });
      return added;
    });
  }

  private isLocal(alarmId: string): boolean {
    return this.localIds.has(alarmId) || this.store.isLocal(alarmId);
  }

  /** Another console's retained journal of an alarm: what is missing here is applied, once. */
  mergeSnapshot(snap: AlarmSnapshotMessage): void {
    // One transaction, and one snapshot of ours afterwards rather than one per new event.
    const merging = (this.merging = new Set());
    try {
      this.d.sql.transaction(() => {
        for (const e of snap.events) {
          if (!e.sortKey.endsWith('-field')) this.d.clock.observe(e.sortKey);
          this.record({ ...e, alarmId: snap.id, body: e.body as JournalEvent['body'], local: false });
        }
        if (merging.size) this.snapshots.due(snap.id);
      });
    } finally {
      this.merging = null;
    }
  }

  /**
   * Shelves that have run out: each returns its alarm with an `unshelve` in the journal, made
   * from the shelf's end (its id and sort key), so every station that notices it records the
   * same event, once, and snapshots carry it, audited when journalled. Called every second
   * while the station runs. Fail closed: a shelf the database cannot end (a full disk) ends in
   * memory all the same, so the alarm is back before operators now, and journalled later.
   */
  expireShelves(now = this.d.now()): void {
    const ended = this.shelves.endedBy(now);
    const shelved = this.store.shelvedAlarms();
    for (const { id, until, local } of shelved) {
      if (!ended(id, until)) continue;
      const event: JournalRecord = {
        alarmId: id,
        eventId: `shelf-expired:${id}:${until}`,
        kind: 'unshelve',
        sortKey: encodeHlc({ wall: Date.parse(until), counter: 0, node: 'field' }),
        at: until,
        actor: SYSTEM,
        body: { until, expired: true, reason: 'shelf expired' },
        station: this.d.stationId,
        local,
      };
      this.journalOrKeep(event, () => true);
    }
    this.shelves.keepOnly(shelved);
  }

  start(): void {
    this.timer = setInterval(() => {
      // Each on its own: a failure of one (a read the database refused) must not stop the other.
      guardTick(this.d.log, 'saving alarm events kept in memory', () => this.saveUnsaved());
      guardTick(this.d.log, 'ending the shelves that ran out', () => this.expireShelves());
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
    /** What the raise adds for a limit alarm: its point, condition, limit, value, suppression. */
    limit?: Pick<JournalEvent['body'], 'point' | 'condition' | 'limit' | 'value' | 'suppressed'>;
  }): void {
    const kind: JournalKind = c.active ? 'raise' : 'clear';
    // The field says it once: a raise the database refuses (a full disk) is shown from memory
    // and journalled later, never lost. Any other failure is a bug, and throws.
    const event: JournalRecord = {
      alarmId: c.id,
      eventId: `field:${c.id}:${kind}:${c.ts}`,
      kind,
      sortKey: encodeHlc({ wall: Date.parse(c.ts), counter: 0, node: 'field' }),
      at: c.ts,
      actor: c.source,
      body: { priority: c.priority, message: c.message, segment: c.segment, source: c.source, ...c.limit },
      station: FIELD,
      local: false,
    };
    this.journalOrKeep(event, isRefusedWrite);
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
    this.record(actionRecord(kind, b as ActionBody, e.id, e.ts, e.station));
  }

  get(id: string): Alarm | null {
    if (this.unsaved.some((e) => e.alarmId === id)) return this.unsavedView(id);
    return this.store.alarm(id);
  }

  /** A local alarm with events not yet journalled: the replay of its journal and those events. */
  private unsavedView(id: string): Alarm {
    return this.store.replayed(id, [...this.journal(id), ...this.unsaved.filter((e) => e.alarmId === id)]);
  }

  list(): Alarm[] {
    const ids = this.store.alarmIds();
    // Not journalled yet (the database refused the write): the newest, first.
    const stored = new Set(ids);
    const waiting = [...new Set(this.unsaved.map((e) => e.alarmId))].filter((id) => !stored.has(id));
    return [...waiting, ...ids].map((id) => this.get(id)!);
  }

  journal(alarmId: string): JournalEvent[] {
    return this.store.journalOf(alarmId);
  }

  /** Alarm-system performance now and over the last day (the raises come from the journals). */
  metrics(now = this.d.now().getTime()): AlarmMetrics {
    const raises = this.store.raisesSince(new Date(now - EEMUA_WINDOW_MS).toISOString());
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
      this.localIds.add(b.alarmId);
      this.record({ ...actionRecord(kind, body, id, this.d.now().toISOString(), this.d.stationId), local: true });
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
      this.record(actionRecord(kind, body, e.id, e.ts, this.d.stationId)),
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
  private record(e: JournalRecord): boolean {
    const added = this.d.sql.transaction(() => {
      if (!this.store.addEvent(e)) return false;
      // How long this shelf lasts here, measured from now on the monotonic clock.
      if (e.kind === 'shelve' && e.body.until) this.shelves.begin(e.alarmId, e.body.until, this.d.now());
      if (e.local || this.localIds.has(e.alarmId)) return true;
      if (this.merging) this.merging.add(e.alarmId);
      else this.snapshots.due(e.alarmId);
      return true;
    });
    const alarm = added ? this.get(e.alarmId) : null;
    if (alarm) this.d.onChange(alarm);
    return added;
  }

  /**
   * The alarm's journal as its snapshot: its latest SNAPSHOT_EVENTS events, enough to replay
   * its state (a chattering alarm's oldest raise and clear cycles are left out).
   */
  private snapshotOf(alarmId: string): AlarmSnapshotMessage | null {
    const events = this.store.snapshotEvents(alarmId, SNAPSHOT_EVENTS);
    return events.length ? { v: PROTOCOL_VERSION, id: alarmId, events } : null;
  }
}

/** An operator's action on an alarm as its journal keeps it (ordered by the action's clock). */
function actionRecord(kind: JournalKind, b: ActionBody, eventId: string, at: string, station: string): JournalRecord {
  return {
    alarmId: b.alarmId,
    eventId,
    kind,
    sortKey: b.hlc,
    at,
    actor: b.actor,
    body: { until: b.until, reason: b.reason, note: b.note },
    station,
    local: false,
  };
}
