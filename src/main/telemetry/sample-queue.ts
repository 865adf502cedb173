import { QUALITY_CODES } from './sample-sink';

/** A run of samples taken from the queue, in columns, with the sequence numbers it spans. */
export interface SampleRun {
  pidx: Uint32Array;
  ts: Float64Array;
  val: Float64Array;
  q: Uint8Array;
  first: number;
  last: number;
  count: number;
}

const CODE: Record<string, number> = Object.fromEntries(QUALITY_CODES.map((q, i) => [q, i]));
/** Dequeued slots are reclaimed once they are this many and half the arrays. */
const COMPACT_AT = 65_536;

/**
 * Telemetry samples waiting to be written, in columns of numbers: under a flood hundreds of
 * thousands wait at once, and one object per sample is what the garbage collector then spends
 * its time tracing. Point ids are numbered once (`names`), so a sample holds no string.
 */
export class SampleQueue {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private pidx: number[] = [];
  private ts: number[] = [];
  private val: number[] = [];
  private q: number[] = [];
  private seq: number[] = [];
  private head = 0;

  get length(): number {
    return this.seq.length - this.head;
  }

  firstSeq(): number | undefined {
    return this.head < this.seq.length ? this.seq[this.head] : undefined;
  }

  push(pointId: string, ts: number, value: number, quality: string, seq: number): void {
    let i = this.index.get(pointId);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(pointId);
      this.index.set(pointId, i);
    }
    this.pidx.push(i);
    this.ts.push(ts);
    this.val.push(value);
    this.q.push(CODE[quality] ?? 0);
    this.seq.push(seq);
  }

  /** The number a point's samples carry here; undefined when it has none yet. */
  indexOf(pointId: string): number | undefined {
    return this.index.get(pointId);
  }

  /** Calls `fn` with each waiting sample of one point (by number), oldest first. */
  forEachOf(idx: number, fn: (ts: number, value: number) => void): void {
    for (let k = this.head; k < this.seq.length; k++) if (this.pidx[k] === idx) fn(this.ts[k]!, this.val[k]!);
  }

  /** Forgets the `n` oldest (the queue is full: telemetry goes first, never state). */
  drop(n: number): void {
    this.head += Math.min(n, this.length);
    this.compact();
  }

  /** Takes the `n` oldest, or all there are. */
  take(n: number): SampleRun {
    const from = this.head;
    const count = Math.min(n, this.length);
    const run: SampleRun = {
      pidx: new Uint32Array(count),
      ts: new Float64Array(count),
      val: new Float64Array(count),
      q: new Uint8Array(count),
      first: this.seq[from] ?? Infinity,
      last: this.seq[from + count - 1] ?? Infinity,
      count,
    };
    for (let k = 0; k < count; k++) {
      run.pidx[k] = this.pidx[from + k]!;
      run.ts[k] = this.ts[from + k]!;
      run.val[k] = this.val[from + k]!;
      run.q[k] = this.q[from + k]!;
    }
    this.head += count;
    this.compact();
    return run;
  }

  private compact(): void {
    if (this.head === this.seq.length) {
      this.pidx = [];
      this.ts = [];
      this.val = [];
      this.q = [];
      this.seq = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.seq.length) {
      for (const col of [this.pidx, this.ts, this.val, this.q, this.seq]) col.splice(0, this.head);
      this.head = 0;
    }
  }
}
