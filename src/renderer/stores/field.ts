import { create } from 'zustand';
import type { Valve } from '../../shared/valves';
import type { ConsoleBatch } from '../../shared/console';
import type { LinkState } from '../../shared/field';
import type { PointView } from '../../shared/telemetry';
import type { SiteView } from '../../shared/site';
import { useRecentHistory } from './recent-history';
import {
  applyBatch,
  coalesceBatches,
  emptyFieldData,
  replacePoints,
  replaceValves,
  setLink,
  setSite,
  type FieldData,
} from '../model/field-data';

/**
 * The console's live copy of the field. Shaped for selectors: valves and points are
 * records by id, the id lists change only when membership does, and every change keeps
 * unchanged objects, so `useValve('v-101')` wakes only when v-101 changes.
 */
export interface FieldStore extends FieldData {
  /** Which initial loads have answered. */
  loaded: { site: boolean; valves: boolean; points: boolean; link: boolean };
  /** Why the last load failed, shown in the frame; null when all is well. */
  error: string | null;
  applyBatches(batches: readonly ConsoleBatch[]): void;
  loadSite(site: SiteView | null): void;
  loadValves(valves: readonly Valve[]): void;
  loadPoints(points: readonly PointView[]): void;
  loadLink(link: LinkState): void;
  setError(error: string | null): void;
}

const nowIso = () => new Date().toISOString();

export const useField = create<FieldStore>((set, get) => ({
  ...emptyFieldData,
  loaded: { site: false, valves: false, points: false, link: false },
  error: null,
  applyBatches(batches) {
    useRecentHistory.getState().record(batches.flatMap((b) => b.points));
    const batch = coalesceBatches(batches);
    if (!batch) return;
    const next = applyBatch(get(), batch, nowIso());
    if (next !== get()) set(next);
  },
  loadSite(site) {
    // null means "not known yet": never forget a site a batch already brought.
    const data = site || !get().site ? setSite(get(), site) : get();
    set({ ...data, loaded: { ...get().loaded, site: true } });
  },
  loadValves(valves) {
    set({ ...replaceValves(get(), valves), loaded: { ...get().loaded, valves: true } });
  },
  loadPoints(points) {
    useRecentHistory.getState().record(points);
    set({ ...replacePoints(get(), points), loaded: { ...get().loaded, points: true } });
  },
  loadLink(link) {
    set({ ...setLink(get(), link, nowIso()), loaded: { ...get().loaded, link: true } });
  },
  setError(error) {
    if (get().error !== error) set({ error });
  },
}));

/** One valve, re-rendering only when that valve changes. */
export const useValve = (id: string): Valve | undefined => useField((s) => s.valves[id]);
/** One point, re-rendering only when that point changes. */
export const usePoint = (id: string | undefined): PointView | undefined =>
  useField((s) => (id === undefined ? undefined : s.points[id]));
