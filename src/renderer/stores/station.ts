import { create } from 'zustand';
import type { AppInfo } from '../../shared/app-info';
import type { Health } from '../../shared/health';

interface StationState {
  info: AppInfo | null;
  health: Health | null;
  /** Why the last call failed, shown instead of silently keeping old data. */
  error: string | null;
  refresh(): Promise<void>;
}

export const useStation = create<StationState>((set) => ({
  info: null,
  health: null,
  error: null,
  async refresh() {
    const [info, health] = await Promise.all([window.plainview.app.info(), window.plainview.health.get()]);
    if (!info.ok) return set({ error: info.error.message });
    if (!health.ok) return set({ error: health.error.message });
    set({ info: info.value, health: health.value, error: null });
  },
}));
