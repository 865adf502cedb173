/**
 * Reconnect delays: exponential backoff with full jitter (a random delay between zero and
 * min(cap, base·2^attempt)), so a site full of stations does not reconnect in lock-step
 * after a broker restart: 1 s base, 60 s cap.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(this.random() * ceiling);
  }

  /**
   * The slow schedule for refusals that will not fix themselves (bad credentials): between
   * half the cap and the cap, never a tight loop.
   */
  slow(): number {
    this.attempt++;
    return Math.round(this.options.capMs / 2 + (this.random() * this.options.capMs) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
