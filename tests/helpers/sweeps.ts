import { vi } from 'vitest';
import type { Station } from '../../src/main/station';

/**
 * The station's own second hand: its alarm housekeeping (AlarmService.expireShelves) runs once
 * a second while it runs. Counting those runs tells a test that time has passed *for the
 * station*, and that whatever its timers had due by then has run: what a fixed sleep can only
 * hope for on a busy machine. For "nothing more happens" checks. Call it before the moment to
 * count from.
 */
export function alarmSweeps(station: Station) {
  const alarms = station.running().alarms;
  const sweep = alarms.expireShelves;
  let count = 0;
  const waiting = new Set<{ at: number; done: () => void }>();
  vi.spyOn(alarms, 'expireShelves').mockImplementation((...args) => {
    try {
      sweep.apply(alarms, args);
    } finally {
      count++;
      for (const w of waiting) if (count >= w.at) w.done();
    }
  });
  return {
    get count(): number {
      return count;
    },
    /**
     * Resolves once the sweep has run `n` more times than it had when called: at least n - 1
     * seconds of the station's timers. It resolves from within that sweep's turn of the event
     * loop, so what the caller reads next is the station's state at that sweep, before any
     * later timer of the station has run.
     */
    more(n: number, what: string, timeoutMs = 20_000): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const w = {
          at: count + n,
          done: () => {
            waiting.delete(w);
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiting.delete(w);
          reject(new Error(`timed out waiting for ${n} more alarm sweeps (${what}); ${w.at - count} to go`));
        }, timeoutMs);
        waiting.add(w);
      });
    },
  };
}
