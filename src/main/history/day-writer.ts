import { decodeBlock, encodeBlock } from './codec';
import { HistoryFile } from './file';
import { decodeJournal, encodeJournal } from './journal';
import { BLOCK_MAX_SAMPLES, BLOCK_WINDOW_MS, OpenBlock, windowOf } from './open-block';
import { prepareSamplesWrite, type SamplesWrite } from './sql';

/** A block written to the file and not yet rolled up into minutes and hours. */
export interface WrittenBlock {
  seq: number;
  point: string;
  ts: readonly number[];
  values: readonly number[];
}

/** One sample for a day's file. */
export interface DaySample {
  point: string;
  ts: number;
  value: number;
  quality: number;
}

/**
 * Samples as columns, points by the caller's numbers (`names[n]` is point n): what the writer
 * thread gets, written without an object per sample. A caller keeps one `names` array for its
 * numbering (the file's point ids are cached by it).
 */
export interface ColumnBatch {
  names: readonly string[];
  pidx: ArrayLike<number>;
  ts: ArrayLike<number>;
  val: ArrayLike<number>;
  q: ArrayLike<number>;
}

/** Samples given one by one, as columns. */
export function toColumns(samples: readonly DaySample[]): ColumnBatch {
  const names: string[] = [];
  const index = new Map<string, number>();
  const pidx = samples.map((s) => {
    let i = index.get(s.point);
    if (i === undefined) index.set(s.point, (i = names.push(s.point) - 1));
    return i;
  });
  return {
    names,
    pidx,
    ts: samples.map((s) => s.ts),
    val: samples.map((s) => s.value),
    q: samples.map((s) => s.quality),
  };
}

/** Open blocks are keyed by point number and window, as one number. */
const key = (point: number, window: number) => point * 1e7 + window / BLOCK_WINDOW_MS;

/**
 * The samples file of one UTC day, while it is written: the open blocks of its points in
 * memory, each commit's new samples as one journal record (durable before the broker is
 * answered), and a block written whole once it is full or its window is over. The journal
 * is the truth for what is not in a block yet: after a failed commit or a restart the open
 * blocks are rebuilt from it.
 */
export class DayWriter {
  readonly file: HistoryFile;
  private readonly s: SamplesWrite;
  private open = new Map<number, OpenBlock>();
  private names: Map<number, string>;
  /** Blocks written and not yet rolled up. */
  toRoll: WrittenBlock[] = [];
  /** The caller's point numbering and the file's ids by it (reset when the numbering changes). */
  private callerNames: readonly string[] | null = null;
  private callerIds: number[] = [];
  /** Each point's newest open block (most samples go to the block the last one went to). */
  private recent: (OpenBlock | undefined)[] = [];

  constructor(
    dir: string,
    readonly day: string,
  ) {
    this.file = HistoryFile.forWriting(dir, 'samples', day);
    try {
      this.s = prepareSamplesWrite(this.file.db);
      this.names = this.file.names();
      this.replay();
    } catch (err) {
      // Closed, so that a damaged file can be moved aside (Windows cannot move an open file).
      this.file.close();
      throw err;
    }
  }

  /**
   * Adds samples (those of `b` at `rows`) in one commit; returns how many were already there
   * (same point, same time: the first is kept).
   */
  write(b: ColumnBatch, rows: readonly number[]): number {
    return this.committed(() => this.add(b, rows));
  }

  private add(b: ColumnBatch, rows: readonly number[]): number {
    let duplicates = 0;
    const points: number[] = [];
    const ts: number[] = [];
    const values: number[] = [];
    const quality: number[] = [];
    const touched = new Set<OpenBlock>();
    let sealed = false;
    if (b.names !== this.callerNames) {
      this.callerNames = b.names;
      this.callerIds = [];
    }
    for (const i of rows) {
      const n = b.pidx[i]!;
      const point = (this.callerIds[n] ??= this.pointId(b.names[n]!));
      const t = b.ts[i]!;
      const block = this.block(point, windowOf(t));
      if (!block.add(t, b.val[i]!, b.q[i]!)) {
        duplicates++;
        continue;
      }
      points.push(point);
      ts.push(t);
      values.push(b.val[i]!);
      quality.push(b.q[i]!);
      touched.add(block);
      // A full block is written at once (its samples are in this commit's journal record too:
      // a replay finds them in the block and skips them).
      if (block.size >= BLOCK_MAX_SAMPLES) sealed = this.seal(block) || sealed;
    }
    if (!ts.length) return duplicates;
    const seq = Number(this.s.journal.run(encodeJournal({ points, ts, values, quality })).lastInsertRowid);
    for (const b of touched) if (b.size) b.firstJournal = Math.min(b.firstJournal, seq);
    if (sealed) this.trimJournal();
    return duplicates;
  }

  /** Writes out the blocks whose window ended before `until`; true when the day has none open. */
  sweep(until: number): boolean {
    const due = [...this.open.values()].filter((b) => b.window + BLOCK_WINDOW_MS <= until);
    if (due.length) {
      this.committed(() => {
        for (const b of due) this.seal(b);
        this.trimJournal();
      });
      for (const b of due) this.open.delete(key(b.point, b.window));
      this.recent = [];
    }
    return this.open.size === 0;
  }

  /** Samples of a point between two times that are not in a block yet. */
  openSamples(point: string, from: number, to: number): { ts: number[]; values: number[] } {
    const out = { ts: [] as number[], values: [] as number[] };
    const id = this.file.findPoint(point);
    if (id === undefined) return out;
    for (const b of this.open.values()) {
      if (b.point !== id || b.window > to || b.window + BLOCK_WINDOW_MS <= from) continue;
      for (let i = 0; i < b.size; i++) {
        const t = b.ts[i]!;
        if (t < from || t > to) continue;
        out.ts.push(t);
        out.values.push(b.values[i]!);
      }
    }
    return out;
  }

  /** Totals for the catalogue when the day is finished. */
  totals(): { samples: number; first: number | null; last: number | null } {
    return this.s.count.get() as { samples: number; first: number | null; last: number | null };
  }

  /** Blocks written after `seq` (a rollup file's mark), to catch it up. */
  blocksAfter(seq: number): WrittenBlock[] {
    const rows = this.s.blocksAfter.all(seq) as { seq: number; point: number; data: Uint8Array }[];
    return rows.map((r) => {
      const { ts, values } = decodeBlock(r.data);
      return { seq: r.seq, point: this.names.get(r.point)!, ts, values };
    });
  }

  /** Finished: everything in blocks, the WAL folded into the file, closed. */
  finish(): void {
    this.s.trimJournal.run(Number.MAX_SAFE_INTEGER);
    this.file.finish();
  }

  close(): void {
    this.file.close();
  }

  /** Runs `change` in one transaction; if it fails, memory is rebuilt from the file (the truth). */
  private committed<T>(change: () => T): T {
    const rolls = this.toRoll.length;
    try {
      return this.file.db.transaction(change)();
    } catch (err) {
      this.toRoll.length = rolls;
      this.reload();
      throw err;
    }
  }

  private seal(b: OpenBlock): boolean {
    if (!b.size) return false;
    const data = encodeBlock({ ts: b.ts, values: b.values, quality: b.quality });
    const r = this.s.block.run(b.point, b.ts[0]!, b.ts[b.size - 1]!, b.size, data);
    this.toRoll.push({ seq: Number(r.lastInsertRowid), point: this.names.get(b.point)!, ts: b.ts, values: b.values });
    b.markWritten();
    return true;
  }

  /** Journal records older than every open block's first are wholly in blocks: gone. */
  private trimJournal(): void {
    let oldest = Number.MAX_SAFE_INTEGER;
    for (const b of this.open.values()) if (b.firstJournal < oldest) oldest = b.firstJournal;
    this.s.trimJournal.run(oldest);
  }

  private pointId(name: string): number {
    const id = this.file.pointId(name);
    if (!this.names.has(id)) this.names.set(id, name);
    return id;
  }

  private block(point: number, window: number): OpenBlock {
    const last = this.recent[point];
    if (last?.window === window) return last;
    const k = key(point, window);
    let b = this.open.get(k);
    if (!b) {
      const rows = this.s.windowBlocks.all(point, window, window + BLOCK_WINDOW_MS) as {
        t0: number;
        t1: number;
        data: Uint8Array;
      }[];
      const stored = () => {
        const seen = new Set<number>();
        for (const r of this.s.windowBlocks.all(point, window, window + BLOCK_WINDOW_MS) as { data: Uint8Array }[])
          for (const t of decodeBlock(r.data).ts) seen.add(t);
        return seen;
      };
      b = new OpenBlock(
        point,
        window,
        rows.map((r): [number, number] => [r.t0, r.t1]),
        stored,
      );
      this.open.set(k, b);
    }
    this.recent[point] = b;
    return b;
  }

  /** Rebuilds the open blocks from the journal (at start, and after a commit that failed). */
  private replay(): void {
    for (const { seq, data } of this.s.allJournal.all() as { seq: number; data: Uint8Array }[]) {
      const r = decodeJournal(data);
      for (let i = 0; i < r.ts.length; i++) {
        const b = this.block(r.points[i]!, windowOf(r.ts[i]!));
        if (b.add(r.ts[i]!, r.values[i]!, r.quality[i]!)) b.firstJournal = Math.min(b.firstJournal, seq);
      }
    }
  }

  private reload(): void {
    this.open = new Map();
    this.recent = [];
    // Ids given in the transaction that failed are gone with it.
    this.callerNames = null;
    this.file.forgetCachedIds();
    this.names = this.file.names();
    this.replay();
  }
}
