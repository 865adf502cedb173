import type { Alarm, AlarmPriority, AlarmState } from '../../shared/alarms';
import { compareNatural } from './natural-order';

/**
 * The site's alarms in the console's words and order (ISA-18.2): priorities, states, what is
 * shelved against the console's clock, the main and shelved lists, the frame's counts, and
 * merging copies by id. Pure.
 */
export type AlarmRecord = Readonly<Record<string, Alarm>>;

export const PRIORITIES: readonly AlarmPriority[] = ['critical', 'high', 'medium', 'low', 'diagnostic'];

export const PRIORITY_WORD: Record<AlarmPriority, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  diagnostic: 'DIAGNOSTIC',
};

export const STATE_WORDS: Record<AlarmState, string> = {
  active_unacked: 'ACTIVE · UNACK',
  active_acked: 'ACTIVE · ACKED',
  cleared_unacked: 'CLEARED · UNACK',
  normal: 'CLEARED · ACKED',
};

const RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3, diagnostic: 4 };

/** Shelving choices offered to the operator, in minutes. */
export const SHELVE_MINUTES: readonly number[] = [1, 15, 30, 60, 120, 480];

export function isUnacked(a: Pick<Alarm, 'state'>): boolean {
  return a.state === 'active_unacked' || a.state === 'cleared_unacked';
}

/** Shelved while shelvedUntil lies in the future of `now` (ms). */
export function isShelved(a: Pick<Alarm, 'shelvedUntil'>, now: number): boolean {
  if (!a.shelvedUntil) return false;
  const t = Date.parse(a.shelvedUntil);
  return Number.isFinite(t) && t > now;
}

/** Resolvable: cleared (not active) and not yet resolved. */
export function canResolve(a: Pick<Alarm, 'state' | 'resolvedAt'>): boolean {
  return (a.state === 'cleared_unacked' || a.state === 'normal') && !a.resolvedAt;
}

/** Shown in the view: not resolved (a resolved alarm is closed). */
export function isOpen(a: Pick<Alarm, 'resolvedAt'>): boolean {
  return !a.resolvedAt;
}

/** Unacknowledged first, then by priority (critical first), then newest, then id. */
export function compareAlarms(a: Alarm, b: Alarm): number {
  const ua = isUnacked(a) ? 0 : 1;
  const ub = isUnacked(b) ? 0 : 1;
  if (ua !== ub) return ua - ub;
  if (RANK[a.priority] !== RANK[b.priority]) return RANK[a.priority] - RANK[b.priority];
  if (a.raisedAt !== b.raisedAt) return a.raisedAt < b.raisedAt ? 1 : -1;
  return compareNatural(a.id, b.id);
}

/** Active: its condition holds now (acknowledged or not). */
export function isActive(a: Pick<Alarm, 'state'>): boolean {
  return a.state === 'active_unacked' || a.state === 'active_acked';
}

/** Suppressed by design: listed, never hidden, not annunciated. */
export function isSuppressed(a: Pick<Alarm, 'suppressed'>): boolean {
  return a.suppressed === true;
}

/**
 * The open alarms in three sorted lists: the main list (annunciated), the shelved ones, and the
 * ones suppressed by design (a shelved alarm is listed as shelved whether suppressed or not).
 */
export function partitionAlarms(
  byId: AlarmRecord,
  now: number,
): { main: Alarm[]; shelved: Alarm[]; suppressed: Alarm[] } {
  const main: Alarm[] = [];
  const shelved: Alarm[] = [];
  const suppressed: Alarm[] = [];
  for (const a of Object.values(byId)) {
    if (!isOpen(a)) continue;
    (isShelved(a, now) ? shelved : isSuppressed(a) ? suppressed : main).push(a);
  }
  main.sort(compareAlarms);
  shelved.sort(compareAlarms);
  suppressed.sort(compareAlarms);
  return { main, shelved, suppressed };
}

/** Milliseconds left on a shelf (0 when not shelved or run out). */
export function shelfLeftMs(a: Pick<Alarm, 'shelvedUntil'>, now: number): number {
  const t = a.shelvedUntil ? Date.parse(a.shelvedUntil) : NaN;
  return Number.isFinite(t) ? Math.max(0, t - now) : 0;
}

/**
 * Time left on a shelf as a countdown: "0:42", "14:05", "1:59:30". Whole seconds rounded down:
 * the console's clock ticks on the second, so a fresh one-hour shelf reads 1:00:00, not 1:00:01.
 */
export function formatTimeLeft(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The next unacknowledged alarm after `id` in a list (wrapping to the first), other than the
 * ones in `skip`: where the focus goes after an acknowledgement. Null when none is left.
 */
export function nextUnacked(list: readonly Alarm[], id: string | null, skip: ReadonlySet<string>): string | null {
  const candidates = list.filter((a) => isUnacked(a) && !skip.has(a.id));
  if (!candidates.length) return null;
  const at = id === null ? -1 : list.findIndex((a) => a.id === id);
  const after = candidates.find((a) => list.indexOf(a) > at);
  return (after ?? candidates[0]!).id;
}

function sameAlarm(a: Alarm, b: Alarm): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Merges alarms in (later wins); the same record back when nothing changed. */
export function upsertAlarms(byId: AlarmRecord, alarms: readonly Alarm[]): AlarmRecord {
  let next: Record<string, Alarm> | null = null;
  for (const a of alarms) {
    const prev = (next ?? byId)[a.id];
    if (prev && sameAlarm(prev, a)) continue;
    next ??= { ...byId };
    next[a.id] = a;
  }
  return next ?? byId;
}

/** Replaces the record with a full list (the load); equal alarms keep their object. */
export function replaceAlarms(byId: AlarmRecord, alarms: readonly Alarm[]): AlarmRecord {
  const next: Record<string, Alarm> = {};
  let changed = alarms.length !== Object.keys(byId).length;
  for (const a of alarms) {
    const prev = byId[a.id];
    if (prev && sameAlarm(prev, a)) next[a.id] = prev;
    else {
      next[a.id] = a;
      changed = true;
    }
  }
  return changed ? next : byId;
}

/** "15 min", "2 h", "8 h". */
export function minutesText(minutes: number): string {
  return minutes < 60 ? `${minutes} min` : `${minutes / 60} h`;
}
