import { useEffect, useState } from 'react';
import type { Alarm } from '../../../shared/alarms';
import type { Result } from '../../../shared/refusal';
import { refusalText, StationRefusal, station } from '../../client';
import { useAlarms } from '../../stores/alarms';

/** How often the view asks for the alarm-system metrics while it is open. */
const METRICS_MS = 5000;

/** Polls alarms.metrics every 5 s while mounted. */
export function useMetricsPoll(): string | null {
  const setMetrics = useAlarms((s) => s.setMetrics);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const value = await station.alarms.metrics();
        if (stopped) return;
        setMetrics(value);
        setError(null);
      } catch (err) {
        if (!stopped) setError(refusalText(err));
      }
      if (!stopped) timer = window.setTimeout(() => void poll(), METRICS_MS);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [setMetrics]);
  return error;
}

/** Applies a bulk answer: the alarms to the store, and the refusals' words (null: none). */
export function applyResults(results: readonly Result<Alarm>[]): string | null {
  const ok = results.flatMap((r) => (r.ok ? [r.value] : []));
  if (ok.length) useAlarms.getState().apply(ok);
  const refused = results.flatMap((r) => (r.ok ? [] : [r.refusal]));
  if (!refused.length) return null;
  const words = [...new Set(refused.map((r) => refusalText(new StationRefusal(r))))];
  return refused.length > 1 ? `${refused.length} refused: ${words.join(' ')}` : words[0]!;
}

/** One alarm's answer to the store. */
export const applyAlarm = (alarm: Alarm): null => (useAlarms.getState().apply([alarm]), null);
