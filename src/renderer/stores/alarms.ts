import { create } from 'zustand';
import type { Alarm, AlarmMetrics } from '../../shared/alarms';
import { replaceAlarms, upsertAlarms, type AlarmRecord } from '../model/alarms';

/**
 * The site's alarms as the console knows them: the loaded list (alarms.list) and pushed
 * changes (ConsoleBatch.alarms, from any console), merged by id, the later copy winning, and
 * the alarm-system metrics the Alarms view polls.
 */
interface AlarmsStore {
  byId: AlarmRecord;
  loaded: boolean;
  metrics: AlarmMetrics | null;
  apply(alarms: readonly Alarm[]): void;
  load(alarms: readonly Alarm[]): void;
  setMetrics(metrics: AlarmMetrics): void;
}

export const useAlarms = create<AlarmsStore>((set, get) => ({
  byId: {},
  loaded: false,
  metrics: null,
  apply(alarms) {
    if (!alarms.length) return;
    const byId = upsertAlarms(get().byId, alarms);
    if (byId !== get().byId) set({ byId });
  },
  load(alarms) {
    const byId = replaceAlarms(get().byId, alarms);
    set({ byId, loaded: true });
  },
  setMetrics(metrics) {
    if (JSON.stringify(metrics) !== JSON.stringify(get().metrics)) set({ metrics });
  },
}));
