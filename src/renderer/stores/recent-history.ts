import { create } from 'zustand';
import type { PointView } from '../../shared/telemetry';
import { recordPoints, type Sample, type SampleSeries } from '../model/recent-history';

/** The segment points' recent values since the console opened (the overview's sparklines). */
interface RecentHistoryStore {
  series: SampleSeries;
  record(points: readonly PointView[]): void;
}

export const useRecentHistory = create<RecentHistoryStore>((set, get) => ({
  series: {},
  record(points) {
    const series = recordPoints(get().series, points);
    if (series !== get().series) set({ series });
  },
}));

const NO_SAMPLES: readonly Sample[] = [];

/** One point's recent values, re-rendering only when they change. */
export const useRecentSamples = (id: string): readonly Sample[] => useRecentHistory((s) => s.series[id] ?? NO_SAMPLES);
