import { useEffect, useState } from 'react';
import { refusalText } from '../../client';

/**
 * Asks the station now, then again `everyMs` after each answer (never two calls at once),
 * while the view is open. The last value is kept through a failed call, beside its error.
 */
export function usePolled<T>(load: () => Promise<T>, everyMs: number) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const refresh = async () => {
      try {
        const next = await load();
        if (cancelled) return;
        setValue(next);
        setError(null);
        setFetchedAt(Date.now());
      } catch (err) {
        if (!cancelled) setError(refusalText(err));
      }
      if (!cancelled) timer = window.setTimeout(() => void refresh(), everyMs);
    };
    void refresh();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
    // The call and its period are fixed for the life of the view.
  }, []);
  return { value, error, fetchedAt, setValue };
}
