import { create } from 'zustand';
import type { Incident } from '../../shared/incidents';
import { upsertIncidents, type IncidentRecord } from '../model/incidents';

/**
 * The site's incidents as the console knows them: the loaded list (incidents.list) and
 * pushed changes (ConsoleBatch.incidents, from any console), merged by id, the later copy
 * winning.
 */
interface IncidentsStore {
  byId: IncidentRecord;
  loaded: boolean;
  apply(incidents: readonly Incident[]): void;
  load(incidents: readonly Incident[]): void;
}

export const useIncidents = create<IncidentsStore>((set, get) => ({
  byId: {},
  loaded: false,
  apply(incidents) {
    if (!incidents.length) return;
    const byId = upsertIncidents(get().byId, incidents);
    if (byId !== get().byId) set({ byId });
  },
  load(incidents) {
    // A full list for the loaded ids; pushed copies newer than the answer stay.
    const byId: Record<string, Incident> = {};
    for (const i of incidents) {
      const prev = get().byId[i.id];
      byId[i.id] = prev && prev.updatedAt > i.updatedAt ? prev : i;
    }
    set({ byId, loaded: true });
  },
}));
