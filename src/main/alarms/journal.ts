import type { AlarmPriority, AlarmState } from '../../shared/alarms';
import type { LimitCondition } from '../../shared/limits';
import { isActive, onAcknowledge, onCondition } from './isa';

export type JournalKind = 'raise' | 'clear' | 'ack' | 'shelve' | 'unshelve' | 'resolve';

/** One event of an alarm's journal, as stored (body holds the kind's own fields). */
export interface JournalEvent {
  kind: JournalKind;
  sortKey: string;
  at: string;
  actor: string;
  body: {
    priority?: AlarmPriority;
    message?: string;
    segment?: string | null;
    source?: string;
    until?: string;
    reason?: string;
    note?: string;
    /** An unshelve by expiry: it ends the shelf that ran `until`, and no later one. */
    expired?: boolean;
    /** A limit alarm's raise: what it watches, its limit and the value that raised it. */
    point?: string;
    condition?: LimitCondition;
    limit?: number | null;
    value?: number | null;
    /** Suppressed by design while it is active (a raise says whether). */
    suppressed?: boolean;
  };
}

/** What a replay yields: the alarm row's derived columns. */
export interface AlarmFold {
  state: AlarmState;
  priority: AlarmPriority;
  source: string;
  segment: string | null;
  message: string;
  raisedAt: string | null;
  clearedAt: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
  shelvedUntil: string | null;
  shelvedBy: string | null;
  shelveReason: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  /** A limit alarm's point, condition, limit and the value that raised it (null for other alarms). */
  limit: { point: string; condition: LimitCondition; setpoint: number | null; value: number | null } | null;
  suppressed: boolean;
}

const byKey = (a: JournalEvent, b: JournalEvent) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0);

/**
 * An alarm's state is the fold of its journal in sort order: the same events give the
 * same alarm on every station, whatever order they arrived in (docs/sync.md).
 */
export function replay(events: readonly JournalEvent[]): AlarmFold {
  const f: AlarmFold = {
    state: 'normal',
    priority: 'low',
    source: 'unknown',
    segment: null,
    message: '',
    raisedAt: null,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    shelvedUntil: null,
    shelvedBy: null,
    shelveReason: null,
    resolvedAt: null,
    resolvedBy: null,
    resolutionNote: null,
    limit: null,
    suppressed: false,
  };
  for (const e of [...events].sort(byKey)) apply(f, e);
  return f;
}

function apply(f: AlarmFold, e: JournalEvent): void {
  switch (e.kind) {
    case 'raise': {
      const wasActive = isActive(f.state);
      f.state = onCondition(f.state, 'raise');
      if (!wasActive) {
        // A new occurrence: when it began, and it is no longer resolved or acknowledged.
        Object.assign(f, { raisedAt: e.at, clearedAt: null, resolvedAt: null, resolvedBy: null, resolutionNote: null });
        if (f.state === 'active_unacked') Object.assign(f, { ackedAt: null, ackedBy: null });
      }
      f.priority = e.body.priority ?? f.priority;
      f.message = e.body.message ?? f.message;
      f.segment = e.body.segment !== undefined ? e.body.segment : f.segment;
      f.source = e.body.source ?? f.source;
      if (e.body.point && e.body.condition) {
        const value = e.body.value ?? null;
        f.limit = { point: e.body.point, condition: e.body.condition, setpoint: e.body.limit ?? null, value };
      }
      f.suppressed = e.body.suppressed ?? false;
      return;
    }
    case 'clear':
      f.suppressed = false;
      if (isActive(f.state)) f.clearedAt = e.at;
      f.state = onCondition(f.state, 'clear');
      return;
    case 'ack': {
      const next = onAcknowledge(f.state);
      if (next) Object.assign(f, { state: next, ackedAt: e.at, ackedBy: e.actor });
      return;
    }
    case 'shelve':
      Object.assign(f, { shelvedUntil: e.body.until ?? null, shelvedBy: e.actor, shelveReason: e.body.reason ?? null });
      return;
    case 'unshelve':
      // A shelf that ran out ends only if it is still the shelf in force: an operator may
      // have shelved the alarm again, on another console, before this station noticed.
      if (e.body.expired && f.shelvedUntil !== e.body.until) return;
      Object.assign(f, { shelvedUntil: null, shelvedBy: null, shelveReason: null });
      return;
    case 'resolve':
      // Only a cleared alarm can be resolved; resolving acknowledges it.
      if (isActive(f.state)) return;
      Object.assign(f, { state: 'normal', resolvedAt: e.at, resolvedBy: e.actor, resolutionNote: e.body.note ?? null });
      return;
  }
}
