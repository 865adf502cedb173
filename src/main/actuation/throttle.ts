/**
 * At most `limit` actions in any `windowMs` (10 a minute means 10 in every 60 s, never more:
 * a token bucket would let a burst through and then one every 6 s, 19 in 56 s). `take`
 * answers how long until the oldest action in the window leaves it, to the millisecond.
 */
export class SlidingWindow {
  /** When the actions in the window happened, oldest first (at most `limit` of them). */
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until one more action fits; 0 means now. */
  waitMs(): number {
    const t = this.now();
    // A clock that went backwards lets nothing out early: entries from its future stay.
    while (this.times.length && this.times[0]! + this.windowMs <= t) this.times.shift();
    return this.times.length < this.limit ? 0 : this.times[0]! + this.windowMs - t;
  }

  /** Counts one action if it fits; returns the wait otherwise (and counts nothing). */
  take(): number {
    const wait = this.waitMs();
    if (wait === 0) this.times.push(this.now());
    return wait;
  }
}

/** Least time between two actions on the same key (a valve). */
export class Cooldown {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly ms: number,
    private readonly now: () => number,
  ) {}

  waitMs(key: string): number {
    const at = this.last.get(key);
    if (at === undefined) return 0;
    return Math.max(0, at + this.ms - this.now());
  }

  mark(key: string): void {
    this.last.set(key, this.now());
  }
}
