import { useMemo, useRef } from 'react';
import type { Alarm } from '../../shared/alarms';
import { markedAlarms } from '../model/alarm-places';
import { useAlarms } from '../stores/alarms';
import { useNow } from '../stores/clock';

const same = (a: readonly Alarm[], b: readonly Alarm[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The alarms the displays mark (active, not shelved, not suppressed), most severe first. A shelf
 * runs out on the console's clock, so this looks every second, but answers the same list until
 * it really changes: what draws it redraws only then.
 */
export function useMarkedAlarms(): readonly Alarm[] {
  const byId = useAlarms((s) => s.byId);
  const now = useNow();
  const last = useRef<readonly Alarm[]>([]);
  return useMemo(() => {
    const next = markedAlarms(byId, now);
    if (!same(last.current, next)) last.current = next;
    return last.current;
  }, [byId, now]);
}
