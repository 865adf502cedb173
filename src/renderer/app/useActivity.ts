import { useEffect } from 'react';
import { shouldReportActivity } from '../model/operator';
import { useSession } from '../stores/session';
import { station } from '../client';

/**
 * Tells the station the operator is using the console (keyboard or pointer), so the idle
 * lock is postponed: at most once per 10 s, only for a signed-on station account, and only
 * from the operator's own input, never from a timer.
 */
export function useActivity(): void {
  useEffect(() => {
    let last: number | null = null;
    const onInput = (e: Event) => {
      if (!e.isTrusted) return;
      if (useSession.getState().session?.via !== 'sign_on') return;
      const now = Date.now();
      if (!shouldReportActivity(last, now)) return;
      last = now;
      station.operator.activity().catch(() => {
        // The next input tries again; the idle lock is the station's to enforce.
        last = null;
      });
    };
    const options = { capture: true, passive: true };
    window.addEventListener('keydown', onInput, options);
    window.addEventListener('pointerdown', onInput, options);
    return () => {
      window.removeEventListener('keydown', onInput, options);
      window.removeEventListener('pointerdown', onInput, options);
    };
  }, []);
}
