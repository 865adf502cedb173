/**
 * A token bucket: `capacity` actions, refilled evenly over `periodMs` (10 per minute = one
 * every 6 s, up to 10 in a burst). `take` answers how long until it would succeed.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    // A clock that went backwards refills nothing rather than going negative.
    const elapsed = Math.max(0, t - this.last);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.capacity) / this.periodMs);
    this.last = t;
  }

  /** Milliseconds until one token is available; 0 means now. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * this.periodMs) / this.capacity);
  }

  /** Takes a token if there is one; returns the wait otherwise (and takes nothing). */
  take(): number {
    const wait = this.waitMs();
    if (wait === 0) this.tokens -= 1;
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
