import { useEffect } from 'react';
import { create } from 'zustand';
import type { DefinitionSet } from '../../shared/limits';
import { refusalText, station } from '../client';

/** Definitions change rarely (a supervisor's management of change) and are not pushed: look again this often. */
const REFRESH_MS = 60_000;

/**
 * The site's alarm definitions in force (limits.definitions), for the limit lines on trends.
 * Loaded when a view that draws limits opens, and again while one stays open.
 */
interface DefinitionsStore {
  set: DefinitionSet | null;
  error: string | null;
  load(): Promise<void>;
}

export const useDefinitions = create<DefinitionsStore>((set, get) => ({
  set: null,
  error: null,
  async load() {
    try {
      const next = await station.limits.definitions();
      if (next.version !== get().set?.version || next.site !== get().set?.site) set({ set: next, error: null });
      else if (get().error) set({ error: null });
    } catch (err) {
      set({ error: refusalText(err) });
    }
  },
}));

/** Keeps the definitions loaded while the calling view is open; answers those in force. */
export function useDefinitionsInForce(): DefinitionSet | null {
  const definitions = useDefinitions((s) => s.set);
  useEffect(() => {
    const { load } = useDefinitions.getState();
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);
  return definitions;
}
