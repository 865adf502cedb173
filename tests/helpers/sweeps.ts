import { vi } from 'vitest';
import type { Station } from '../../src/main/station';
import { waitFor } from './wait';

/**
 * The station's own second hand: its alarm housekeeping (AlarmService.expireShelves) runs once
 * a second while it runs. Counting those runs tells a test that time has passed *for the
 * station*, and that whatever its timers had due by then has run: what a fixed sleep can only
 * hope for on a busy machine. For "nothing more happens" checks. Call it before the moment to
 * count from; `more(n)` then means at least n - 1 seconds of the station's timers.
 */
export function alarmSweeps(station: Station) {
  const spy = vi.spyOn(station.running().alarms, 'expireShelves');
  return {
    get count(): number {
      return spy.mock.calls.length;
    },
    /** Resolves once the sweep has run `n` more times than it had when called. */
    async more(n: number, what: string, timeoutMs = 20_000): Promise<void> {
      const target = spy.mock.calls.length + n;
      await waitFor(() => spy.mock.calls.length >= target, `${n} more alarm sweeps (${what})`, timeoutMs);
    },
  };
}
