import { performance } from 'node:perf_hooks';

const TICK_MS = 100;
/** After a stall (debugger, suspended laptop) the backlog is dropped beyond one second's worth. */
const MAX_CATCH_UP_S = 1;

/**
 * Spreads `rate` messages per second over ticks of 100 ms, handing each tick a count to
 * send in one batch. The count comes from the time elapsed since start, not from the
 * number of ticks, and each tick is scheduled against the start time, so neither late
 * timers nor slow batches make the rate drift. Uses the monotonic clock: a wall-clock
 * change must not cause a burst or a pause.
 */
export class Pacer {
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private ticks = 0;
  private sent = 0;

  constructor(
    private readonly rate: number,
    private readonly onBatch: (count: number) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  start(): void {
    if (this.timer || this.rate <= 0) return;
    this.startedAt = this.clock();
    this.ticks = 0;
    this.sent = 0;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    // The next tick on the grid still ahead; ticks missed during a stall are not replayed.
    const elapsed = this.clock() - this.startedAt;
    this.ticks = Math.max(this.ticks + 1, Math.floor(elapsed / TICK_MS) + 1);
    const delay = Math.max(0, this.startedAt + this.ticks * TICK_MS - this.clock());
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    const owed = Math.floor((this.rate * (this.clock() - this.startedAt)) / 1000) - this.sent;
    const cap = Math.max(1, Math.ceil(this.rate * MAX_CATCH_UP_S));
    const count = Math.min(owed, cap);
    this.sent += owed; // what is over the cap is skipped, not owed forever
    if (count > 0) this.onBatch(count);
    if (this.timer) this.schedule();
  }
}
