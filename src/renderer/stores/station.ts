import { create } from 'zustand';
import type { AppInfo } from '../../shared/system';

/** Facts about the station that do not change while it runs (version, site, station). */
interface StationState {
  info: AppInfo | null;
  /** Why the last call failed, shown instead of silently keeping old data. */
  error: string | null;
  setInfo(info: AppInfo): void;
  setError(error: string | null): void;
}

export const useStation = create<StationState>((set) => ({
  info: null,
  error: null,
  setInfo: (info) => set({ info, error: null }),
  setError: (error) => set({ error }),
}));
