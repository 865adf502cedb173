import type { Alarm, AlarmPriority } from '../../shared/alarms';
import type { SegmentPoints } from './field-data';
import { isOpen, isShelved, PRIORITIES, PRIORITY_WORD, type AlarmRecord } from './alarms';

/**
 * Where the site's alarms stand on the schematic (API RP 1165 level 1 and 2 displays): which
 * alarms the overview marks, on which segment, valve or point, and the counts its summary
 * says. Pure.
 */

/** Raised and not yet cleared (acknowledged or not). */
export function isActive(a: Pick<Alarm, 'state'>): boolean {
  return a.state === 'active_unacked' || a.state === 'active_acked';
}

/**
 * What the displays mark: active, not resolved, not shelved and not suppressed by design. A
 * shelved or suppressed alarm is counted apart, never drawn as abnormal.
 */
export function isMarked(a: Alarm, now: number): boolean {
  return isActive(a) && isOpen(a) && !isShelved(a, now) && !a.suppressed;
}

/** Most severe first, then newest, then id. */
export function bySeverity(a: Alarm, b: Alarm): number {
  const r = PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority);
  if (r) return r;
  if (a.raisedAt !== b.raisedAt) return a.raisedAt < b.raisedAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The alarms the displays mark, most severe first. */
export function markedAlarms(byId: AlarmRecord, now: number): Alarm[] {
  return Object.values(byId)
    .filter((a) => isMarked(a, now))
    .sort(bySeverity);
}

export interface AlarmTally {
  /** Active alarms the displays mark (not shelved, not suppressed). */
  active: number;
  byPriority: Record<AlarmPriority, number>;
  /** Active but suppressed by design (listed, not annunciated). */
  suppressed: number;
  /** Active but shelved by an operator. */
  shelved: number;
}

/** The overview summary's alarm counts: active ones by priority, suppressed and shelved ones apart. */
export function tallyAlarms(byId: AlarmRecord, now: number): AlarmTally {
  const t: AlarmTally = {
    active: 0,
    byPriority: { critical: 0, high: 0, medium: 0, low: 0, diagnostic: 0 },
    suppressed: 0,
    shelved: 0,
  };
  for (const a of Object.values(byId)) {
    if (!isActive(a) || !isOpen(a)) continue;
    if (isShelved(a, now)) t.shelved++;
    else if (a.suppressed) t.suppressed++;
    else {
      t.active++;
      t.byPriority[a.priority]++;
    }
  }
  return t;
}

/** "2 CRITICAL, 3 HIGH": the active alarms per priority, most severe first. */
export function priorityCounts(t: AlarmTally): string {
  return PRIORITIES.filter((p) => t.byPriority[p] > 0)
    .map((p) => `${t.byPriority[p]} ${PRIORITY_WORD[p]}`)
    .join(', ');
}

export interface AlarmPlaces {
  /** Per segment: every marked alarm in it (on the segment, a valve or a point), most severe first. */
  segments: Readonly<Record<string, readonly Alarm[]>>;
  /** Per valve: alarms on the valve or on its position point. */
  valves: Readonly<Record<string, readonly Alarm[]>>;
  /** Per segment point (pressure, flow, temperature): its limit alarms. */
  points: Readonly<Record<string, readonly Alarm[]>>;
  /** Alarms of no segment (the station's own, such as its field link). */
  site: readonly Alarm[];
}

export const NO_PLACES: AlarmPlaces = { segments: {}, valves: {}, points: {}, site: [] };

/**
 * Puts each alarm where it is: a limit alarm on its point (a valve's position point counts as
 * the valve), an alarm naming a valve on the valve, and every one of them also on its segment
 * (its own, or its point's or valve's). The alarms come most severe first and stay so.
 */
export function placeAlarms(
  alarms: readonly Alarm[],
  segmentPoints: Readonly<Record<string, SegmentPoints>>,
  valvePoints: Readonly<Record<string, string>>,
  segmentValveIds: Readonly<Record<string, readonly string[]>>,
): AlarmPlaces {
  if (!alarms.length) return NO_PLACES;
  const pointSegment = new Map<string, string>();
  for (const [seg, p] of Object.entries(segmentPoints))
    for (const id of [p.pressure, p.flow, p.temperature]) if (id) pointSegment.set(id, seg);
  const pointValve = new Map<string, string>();
  for (const [valve, point] of Object.entries(valvePoints)) pointValve.set(point, valve);
  const valveSegment = new Map<string, string>();
  for (const [seg, ids] of Object.entries(segmentValveIds)) for (const id of ids) valveSegment.set(id, seg);

  const segments: Record<string, Alarm[]> = {};
  const valves: Record<string, Alarm[]> = {};
  const points: Record<string, Alarm[]> = {};
  const site: Alarm[] = [];
  const add = (into: Record<string, Alarm[]>, key: string, a: Alarm) => (into[key] ??= []).push(a);
  for (const a of alarms) {
    const point = a.limit?.point;
    const valve = a.valveId ?? (point ? pointValve.get(point) : undefined) ?? null;
    if (valve) add(valves, valve, a);
    else if (point && pointSegment.has(point)) add(points, point, a);
    const segment =
      a.segment ?? (valve ? valveSegment.get(valve) : undefined) ?? (point ? pointSegment.get(point) : undefined);
    if (segment) add(segments, segment, a);
    else site.push(a);
  }
  return { segments, valves, points, site };
}
