import type { Quality } from '../../shared/quality';
import type { Valve, ValveState } from '../../shared/valves';
import { compareNatural } from './natural-order';

/**
 * Filtering, searching and sorting the valve table, as pure functions over the store's
 * ids and records.
 */

export const VALVE_STATES: readonly ValveState[] = ['open', 'closed', 'opening', 'closing', 'fault', 'unknown'];
export const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'stale', 'bad'];

export type SortKey = 'id' | 'name' | 'segment' | 'state' | 'position' | 'quality' | 'age';
export type SortDir = 'asc' | 'desc';
/** A state, or every state. */
export type StateFilter = ValveState | 'all';
/** A quality, every quality, or every quality but good. */
export type QualityFilter = Quality | 'all' | 'not_good';

export interface ValveQuery {
  search: string;
  state: StateFilter;
  quality: QualityFilter;
  sort: SortKey;
  dir: SortDir;
}

export const defaultValveQuery: ValveQuery = { search: '', state: 'all', quality: 'all', sort: 'id', dir: 'asc' };

/**
 * Severity ranks: ascending puts what needs attention first. State: fault, unknown,
 * moving (opening, closing), then the two at-rest states. Quality: bad, stale, uncertain, good.
 */
export const STATE_RANK: Record<ValveState, number> = {
  fault: 0,
  unknown: 1,
  opening: 2,
  closing: 3,
  open: 4,
  closed: 5,
};
export const QUALITY_RANK: Record<Quality, number> = { bad: 0, stale: 1, uncertain: 2, good: 3 };

/** Lower-case words of a search; every word must appear in the id, name or segment. */
export function searchTerms(search: string): string[] {
  return search.toLowerCase().split(/\s+/).filter(Boolean);
}

export function matchesValve(v: Valve, q: Pick<ValveQuery, 'state' | 'quality'>, terms: readonly string[]): boolean {
  if (q.state !== 'all' && v.state !== q.state) return false;
  if (q.quality === 'not_good' ? v.quality === 'good' : q.quality !== 'all' && v.quality !== q.quality) return false;
  if (terms.length) {
    const hay = `${v.id}\n${v.name}\n${v.segment}`.toLowerCase();
    for (const t of terms) if (!hay.includes(t)) return false;
  }
  return true;
}

/**
 * The sort key of a valve for a column; null sorts last in both directions (a valve that
 * never reported has no position and no age).
 */
function keyOf(v: Valve, key: SortKey): number | string | null {
  switch (key) {
    case 'id':
      return null; // ids are already in natural order: the tie-break does it
    case 'name':
      return v.name;
    case 'segment':
      return v.segment;
    case 'state':
      return STATE_RANK[v.state];
    case 'quality':
      return QUALITY_RANK[v.quality];
    case 'position':
      return v.position;
    case 'age': {
      // Youngest first when ascending: a larger updatedAt is a smaller age.
      if (!v.updatedAt) return null;
      const t = Date.parse(v.updatedAt);
      return Number.isNaN(t) ? null : -t;
    }
  }
}

/**
 * The ids to show, in order. `ids` must be in natural id order (the store's valveIds);
 * equal keys keep that order, so the table is stable as values change.
 */
export function queryValves(ids: readonly string[], valves: Readonly<Record<string, Valve>>, q: ValveQuery): string[] {
  const terms = searchTerms(q.search);
  const rows: { id: string; key: number | string | null; i: number }[] = [];
  ids.forEach((id, i) => {
    const v = valves[id];
    if (v && matchesValve(v, q, terms)) rows.push({ id, key: keyOf(v, q.sort), i });
  });
  const sign = q.dir === 'asc' ? 1 : -1;
  if (q.sort === 'id') return q.dir === 'asc' ? rows.map((r) => r.id) : rows.map((r) => r.id).reverse();
  rows.sort((a, b) => {
    if (a.key === null || b.key === null) {
      if (a.key !== b.key) return a.key === null ? 1 : -1;
      return a.i - b.i;
    }
    const c =
      typeof a.key === 'number' && typeof b.key === 'number'
        ? a.key - b.key
        : compareNatural(String(a.key), String(b.key));
    return c !== 0 ? c * sign : a.i - b.i;
  });
  return rows.map((r) => r.id);
}

/**
 * Whether the result can change when a valve's live values change (state, quality,
 * position, age), rather than only when valves are added or the query changes.
 */
export function isLiveQuery(q: ValveQuery): boolean {
  return q.state !== 'all' || q.quality !== 'all' || !(q.sort === 'id' || q.sort === 'name' || q.sort === 'segment');
}

/** "24 of 24 valves", "1 of 24 valves". */
export function countText(shown: number, total: number): string {
  return `${shown} of ${total} ${total === 1 ? 'valve' : 'valves'}`;
}

/** Counts by state and quality for summaries (the overview's status line). */
export function tallyValves(
  ids: readonly string[],
  valves: Readonly<Record<string, Valve>>,
): { total: number; state: Record<ValveState, number>; quality: Record<Quality, number>; local: number } {
  const state = { open: 0, closed: 0, opening: 0, closing: 0, fault: 0, unknown: 0 };
  const quality = { good: 0, uncertain: 0, stale: 0, bad: 0 };
  let local = 0;
  for (const id of ids) {
    const v = valves[id];
    if (!v) continue;
    state[v.state]++;
    quality[v.quality]++;
    if (v.localControl) local++;
  }
  return { total: ids.length, state, quality, local };
}
