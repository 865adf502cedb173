import { useEffect } from 'react';
import { refusalText, station } from '../client';
import { DEFINITIONS_REFRESH_MS, hasUnknownDefinition } from '../model/limits';
import { useAlarms } from '../stores/alarms';
import { useLimits } from '../stores/limits';

/** An alarm for an unknown definition loads again, but not more often than this. */
const UNKNOWN_RETRY_MS = 5_000;

/** Loads the alarm definitions in force into the limits store now; answers whether it could. */
export async function loadDefinitions(): Promise<boolean> {
  try {
    useLimits.getState().load(await station.limits.definitions(), Date.now());
    return true;
  } catch (err) {
    useLimits.getState().setError(refusalText(err));
    return false;
  }
}

/**
 * Keeps the console's copy of the alarm definitions current: loaded once, again every minute,
 * and when an alarm arrives for a definition the copy does not hold (a change at another
 * console). Mounted once, by the app.
 */
export function useDefinitionsSync(): void {
  useEffect(() => {
    let stopped = false;
    let loading = false;
    let lastTry = 0;
    const load = async () => {
      if (loading || stopped) return;
      loading = true;
      lastTry = Date.now();
      await loadDefinitions();
      loading = false;
    };
    void load();
    const timer = window.setInterval(() => void load(), DEFINITIONS_REFRESH_MS);
    const unsubscribe = useAlarms.subscribe((s, prev) => {
      if (s.byId === prev.byId) return;
      if (Date.now() - lastTry < UNKNOWN_RETRY_MS) return;
      if (hasUnknownDefinition(Object.values(s.byId), useLimits.getState().set)) void load();
    });
    return () => {
      stopped = true;
      window.clearInterval(timer);
      unsubscribe();
    };
  }, []);
}
