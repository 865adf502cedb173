import { create } from 'zustand';
import type { DefinitionSet } from '../../shared/limits';

/**
 * The site's alarm definitions in force (limits.definitions), for the rationalization shown on
 * limit alarms and for the definitions view: loaded once, again every minute and whenever an
 * alarm names a definition this copy does not hold, and at once after a supervisor's change.
 */
interface LimitsStore {
  set: DefinitionSet | null;
  /** Console time of the last answer. */
  loadedAt: number | null;
  error: string | null;
  load(set: DefinitionSet, at: number): void;
  setError(error: string | null): void;
}

export const useLimits = create<LimitsStore>((set, get) => ({
  set: null,
  loadedAt: null,
  error: null,
  load(next, at) {
    const prev = get().set;
    // Never step back to an older version than one already shown (a slow answer after a change).
    const keep = prev && prev.version > next.version ? prev : next;
    set({ set: JSON.stringify(keep) === JSON.stringify(prev) ? prev : keep, loadedAt: at, error: null });
  },
  setError: (error) => set({ error }),
}));
