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

/** The open alarms split into the main list and the shelved ones, each sorted. */
export function partitionAlarms(byId: AlarmRecord, now: number): { main: Alarm[]; shelved: Alarm[] } {
  const main: Alarm[] = [];
  const shelved: Alarm[] = [];
  for (const a of Object.values(byId)) {
    if (!isOpen(a)) continue;
    (isShelved(a, now) ? shelved : main).push(a);
  }
  main.sort(compareAlarms);
  shelved.sort(compareAlarms);
  return { main, shelved };
}

/** Unacknowledged, not shelved, not resolved alarms per priority (the frame's counts). */
export function countUnacked(byId: AlarmRecord, now: number): Record<AlarmPriority, number> {
  const counts: Record<AlarmPriority, number> = { critical: 0, high: 0, medium: 0, low: 0, diagnostic: 0 };
  for (const a of Object.values(byId)) if (isOpen(a) && isUnacked(a) && !isShelved(a, now)) counts[a.priority]++;
  return counts;
}

/** Active, unacknowledged, critical, not shelved alarms, newest first (the critical banner). */
export function criticalUnacked(byId: AlarmRecord, now: number): Alarm[] {
  return Object.values(byId)
    .filter((a) => a.priority === 'critical' && a.state === 'active_unacked' && isOpen(a) && !isShelved(a, now))
    .sort((a, b) => (a.raisedAt < b.raisedAt ? 1 : a.raisedAt > b.raisedAt ? -1 : compareNatural(a.id, b.id)));
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
