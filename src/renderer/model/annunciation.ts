import type { Alarm, AlarmPriority } from '../../shared/alarms';
import type { NewIncident } from '../../shared/incidents';
import { compareNatural } from './natural-order';
import { isActive, isOpen, isShelved, isSuppressed, isUnacked, type AlarmRecord } from './alarms';

/**
 * What the alarm banner and the frame show of the site's alarms (ISA-18.2, EEMUA 191): the
 * lines of the banner, the counts per priority and per state, the header's active and
 * unacknowledged counts, what acknowledge-all will and will not acknowledge, and an incident
 * drafted from an alarm. Pure: every function takes `now`.
 */

/** How many alarms the banner shows in lines; it keeps that height with fewer or none. */
export const BANNER_LINES = 3;

const RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3, diagnostic: 4 };

/** Annunciated: open, not shelved, not suppressed by design. */
export function isAnnunciated(a: Alarm, now: number): boolean {
  return isOpen(a) && !isShelved(a, now) && !isSuppressed(a);
}

/** Highest priority first, then unacknowledged before acknowledged, then newest, then id. */
function compareBanner(a: Alarm, b: Alarm): number {
  if (RANK[a.priority] !== RANK[b.priority]) return RANK[a.priority] - RANK[b.priority];
  const ua = isUnacked(a) ? 0 : 1;
  const ub = isUnacked(b) ? 0 : 1;
  if (ua !== ub) return ua - ub;
  if (a.raisedAt !== b.raisedAt) return a.raisedAt < b.raisedAt ? 1 : -1;
  return compareNatural(a.id, b.id);
}

/**
 * The banner's alarms: active ones (acknowledged or not) that are annunciated, highest
 * priority first, then unacknowledged first, then newest. `shown` is the first `lines`.
 */
export function bannerAlarms(
  byId: AlarmRecord,
  now: number,
  lines = BANNER_LINES,
): { shown: Alarm[]; more: number; total: number } {
  const active = Object.values(byId)
    .filter((a) => isActive(a) && isAnnunciated(a, now))
    .sort(compareBanner);
  return { shown: active.slice(0, lines), more: Math.max(0, active.length - lines), total: active.length };
}

export interface AlarmTally {
  /** Active alarms, whether acknowledged, shelved or suppressed: the header's "active". */
  active: number;
  /** Unacknowledged (active or cleared), annunciated: the header's "unack" and the horn's work. */
  unacked: number;
  /** Active and acknowledged, annunciated. */
  ackedActive: number;
  /** Open and shelved. */
  shelved: number;
  /** Suppressed by design (and not shelved). */
  suppressed: number;
  /** Annunciated active alarms per priority. */
  byPriority: Record<AlarmPriority, number>;
  /** Annunciated unacknowledged alarms per priority. */
  unackedByPriority: Record<AlarmPriority, number>;
}

const zeroes = (): Record<AlarmPriority, number> => ({ critical: 0, high: 0, medium: 0, low: 0, diagnostic: 0 });

/** Counts for the banner and the header; the four states never count one alarm twice. */
export function tallyAlarms(byId: AlarmRecord, now: number): AlarmTally {
  const t: AlarmTally = {
    active: 0,
    unacked: 0,
    ackedActive: 0,
    shelved: 0,
    suppressed: 0,
    byPriority: zeroes(),
    unackedByPriority: zeroes(),
  };
  for (const a of Object.values(byId)) {
    if (!isOpen(a)) continue;
    if (isActive(a)) t.active++;
    if (isShelved(a, now)) t.shelved++;
    else if (isSuppressed(a)) t.suppressed++;
    else {
      if (isActive(a)) t.byPriority[a.priority]++;
      if (isUnacked(a)) {
        t.unacked++;
        t.unackedByPriority[a.priority]++;
      } else if (isActive(a)) t.ackedActive++;
    }
  }
  return t;
}

/** The header's words: "none" only when nothing is active and nothing waits for acknowledgement. */
export function headerCountsText(t: Pick<AlarmTally, 'active' | 'unacked'>): string {
  if (!t.active && !t.unacked) return 'none';
  return `${t.active} active · ${t.unacked} unack`;
}

/**
 * Acknowledge-all over a list: the unacknowledged alarms it will acknowledge, and the critical
 * ones it leaves for the operator to acknowledge one by one (the station refuses them in bulk).
 */
export function ackAllPlan(list: readonly Alarm[]): { acknowledge: Alarm[]; skipped: Alarm[] } {
  const unacked = list.filter(isUnacked);
  return {
    acknowledge: unacked.filter((a) => a.priority !== 'critical'),
    skipped: unacked.filter((a) => a.priority === 'critical'),
  };
}

/** An incident's severity from an alarm's priority (a diagnostic alarm is a low one). */
export function severityOf(priority: AlarmPriority): NewIncident['severity'] {
  return priority === 'diagnostic' ? 'low' : priority;
}

/** An incident drafted from an alarm: its words, severity, segment and valve, and the alarm linked. */
export function incidentDraft(a: Alarm): NewIncident {
  const where = [a.segment, a.valveId].filter(Boolean).join(' · ');
  return {
    title: a.message.trim().slice(0, 200) || a.id,
    severity: severityOf(a.priority),
    description: `Opened from alarm ${a.id} (${a.source}${where ? `, ${where}` : ''}), raised ${a.raisedAt}.`,
    segment: a.segment,
    valves: a.valveId ? [a.valveId] : [],
    alarms: [a.id],
  };
}
