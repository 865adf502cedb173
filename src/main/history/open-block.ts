/**
 * A block window: a point's blocks never cross one, so a trend finds a point's blocks for a
 * span by their first time, and a window past its end (plus a grace for late samples) is
 * written out whatever its size.
 */
export const BLOCK_WINDOW_MS = 600_000;
/**
 * Most samples in one block. Measured (tests/unit/telemetry-codec.test.ts, bench/history.ts):
 * a block row costs about 40 bytes beside its samples, 0.16 bytes a sample at this size; and
 * what waits in memory for its block is at most this many samples a point.
 */
export const BLOCK_MAX_SAMPLES = 256;

export function windowOf(ts: number): number {
  return ts - (((ts % BLOCK_WINDOW_MS) + BLOCK_WINDOW_MS) % BLOCK_WINDOW_MS);
}

/**
 * The samples of one point's window not yet in a block, in time order, with the spans of the
 * window's blocks already written (a redelivered sample is looked for there).
 */
export class OpenBlock {
  ts: number[] = [];
  values: number[] = [];
  quality: number[] = [];
  /** The oldest journal record holding one of these samples (Infinity: none). */
  firstJournal = Infinity;

  constructor(
    readonly point: number,
    readonly window: number,
    /** [t0, t1] of the blocks already written in this window. */
    private readonly written: [number, number][],
    /** The times in the window's written blocks (read from the file, when a sample falls inside one). */
    private readonly stored: () => Set<number>,
  ) {}

  /** The times of the written blocks, read once until another block is written. */
  private storedTs: Set<number> | null = null;

  get size(): number {
    return this.ts.length;
  }

  /** Adds a sample in its place; false when the window already holds one at that time (a duplicate). */
  add(ts: number, value: number, quality: number): boolean {
    const n = this.ts.length;
    if (n === 0 || ts > this.ts[n - 1]!) {
      if (this.inWritten(ts)) return false;
      this.ts.push(ts);
      this.values.push(value);
      this.quality.push(quality);
      return true;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    if (this.ts[lo] === ts || this.inWritten(ts)) return false;
    this.ts.splice(lo, 0, ts);
    this.values.splice(lo, 0, value);
    this.quality.splice(lo, 0, quality);
    return true;
  }

  /** Empties the block once it is written, remembering its span. */
  markWritten(): void {
    this.written.push([this.ts[0]!, this.ts[this.ts.length - 1]!]);
    this.storedTs = null;
    this.ts = [];
    this.values = [];
    this.quality = [];
    this.firstJournal = Infinity;
  }

  private inWritten(ts: number): boolean {
    // Only a sample inside a written block's span (a redelivery, a late one) costs a read.
    if (!this.written.some(([t0, t1]) => ts >= t0 && ts <= t1)) return false;
    this.storedTs ??= this.stored();
    return this.storedTs.has(ts);
  }
}
