import { refuse, type Result } from '../../shared/refusal';
import type { SlidingWindow } from '../actuation/throttle';
import type { Identity } from './sessions';

/**
 * The checks every operator change to alarms and incidents meets, wherever it comes from:
 * someone is signed on, is not a viewer, and the station's mutation throttle
 * (`incidentMutationsPerMinute`, 20 a minute by default) allows it.
 */
export class MutationGuard {
  constructor(
    private readonly identity: () => Identity | null,
    private readonly throttle: SlidingWindow,
  ) {}

  run<T>(what: string, fn: (who: Identity) => Result<T>): Result<T> {
    const who = this.identity();
    if (!who) return refuse('not_signed_on', `Sign on to change ${what}.`);
    if (who.role === 'viewer') return refuse('role', `${who.username} is a viewer: viewers cannot change ${what}.`);
    const wait = this.throttle.take();
    if (wait > 0)
      return refuse('throttled', `Too many changes this minute. Retry in ${Math.ceil(wait / 1000)} s.`, {
        retryAfterSec: wait / 1000,
      });
    return fn(who);
  }
}
