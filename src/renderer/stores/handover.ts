import { create } from 'zustand';
import type { HandoverReport } from '../../shared/handover';
import { upsertHandovers, type HandoverRecord } from '../model/handover';

/**
 * The shift handover reports as the console knows them: the loaded list (handover.list) and
 * pushed changes (ConsoleBatch.handovers, from any console), merged by id, the further copy
 * winning whichever arrived last.
 */
interface HandoverStore {
  byId: HandoverRecord;
  loaded: boolean;
  apply(reports: readonly HandoverReport[]): void;
  load(reports: readonly HandoverReport[]): void;
}

export const useHandovers = create<HandoverStore>((set, get) => ({
  byId: {},
  loaded: false,
  apply(reports) {
    const byId = upsertHandovers(get().byId, reports);
    if (byId !== get().byId) set({ byId });
  },
  load(reports) {
    // The answer's list; a pushed copy that got further than the answer's stays.
    set({ byId: upsertHandovers(get().byId, reports), loaded: true });
  },
}));
