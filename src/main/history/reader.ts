import type { Statement } from 'better-sqlite3';
import { decodeBlock } from './codec';
import { isDamage } from './damage';
import { HistoryFile } from './file';
import { partitionsBetween, type HistoryKind } from './layout';
import { movedThroughFor } from './move-rows';
import { BLOCK_WINDOW_MS } from './open-block';
import { MOVED_THROUGH, prepareReads } from './sql';

/** Connections kept open for reading: a year of hour rollups is 13 files, a week of samples 8. */
const KEEP_OPEN = 48;

interface Open {
  file: HistoryFile;
  point: Statement;
  rows: Statement;
  movedThrough: Statement;
}

/** One rollup bucket as read: [bucket, sum, count, min, max]. */
export type RollupRow = [bucket: number, sum: number, count: number, min: number, max: number];

/**
 * Reads the history files for trends, on the main thread (reads never wait for the writer:
 * WAL). A file is opened on first use and kept among the most recently used.
 */
export class HistoryReader {
  private readonly open = new Map<string, Open>();

  constructor(private readonly dir: string) {}

  /** A point's samples in blocks between two times, in time order. */
  samples(point: string, from: number, to: number): { ts: number[]; values: number[] } {
    const ts: number[] = [];
    const values: number[] = [];
    for (const day of partitionsBetween('samples', from, to)) {
      // A block never crosses its window: one that starts a window before `from` may reach it.
      for (const data of this.rows('samples', day, point, [from - BLOCK_WINDOW_MS, to, from]) as Uint8Array[]) {
        const b = decodeBlock(data);
        for (let i = 0; i < b.ts.length; i++) {
          const t = b.ts[i]!;
          if (t < from || t > to) continue;
          ts.push(t);
          values.push(b.values[i]!);
        }
      }
    }
    return { ts, values };
  }

  /** A point's minute or hour rollups between two times, in bucket order. */
  rollups(kind: 'minutes' | 'hours', point: string, from: number, to: number): RollupRow[] {
    return this.rollupsAndMoved(kind, point, from, to).rows;
  }

  /**
   * The same, and how far each file holds the point's v8 rollup rows (by partition key, the
   * last bucket moved in: history/move-rows.ts), a file's mark and rows read in one snapshot.
   */
  rollupsAndMoved(
    kind: 'minutes' | 'hours',
    point: string,
    from: number,
    to: number,
  ): { rows: RollupRow[]; movedThrough: Map<string, number> } {
    const rows: RollupRow[] = [];
    const movedThrough = new Map<string, number>();
    for (const key of partitionsBetween(kind, from, to))
      this.reading(kind, key, (f) =>
        f.file.db.transaction(() => {
          movedThrough.set(key, movedThroughFor(point, f.movedThrough.get(MOVED_THROUGH)));
          const id = f.point.get(point) as number | undefined;
          if (id !== undefined) for (const r of f.rows.all(id, from, to) as RollupRow[]) rows.push(r);
        })(),
      );
    return { rows, movedThrough };
  }

  /** A point's rows of one file for a span; none when the file or the point is absent (or damaged). */
  private rows(kind: HistoryKind, key: string, point: string, span: number[]): unknown[] {
    let out: unknown[] = [];
    this.reading(kind, key, (f) => {
      const id = f.point.get(point) as number | undefined;
      if (id !== undefined) out = f.rows.all(id, ...span);
    });
    return out;
  }

  /**
   * Reads one file if it is there. A damaged file is skipped (the writer moves it aside and
   * raises an alarm; a trend shows the rest).
   */
  private reading(kind: HistoryKind, key: string, read: (f: Open) => void): void {
    try {
      const f = this.file(kind, key);
      if (f) read(f);
    } catch (err) {
      if (!isDamage(err)) throw err;
      this.forget(kind, key);
    }
  }

  /** Closes a file before retention drops it (a file open elsewhere cannot be deleted on Windows). */
  forget(kind: HistoryKind, key: string): void {
    const name = `${kind}:${key}`;
    this.open.get(name)?.file.close();
    this.open.delete(name);
  }

  close(): void {
    for (const o of this.open.values()) o.file.close();
    this.open.clear();
  }

  private file(kind: HistoryKind, key: string): Open | null {
    const name = `${kind}:${key}`;
    let o = this.open.get(name);
    if (o) {
      // Most recently used last.
      this.open.delete(name);
      this.open.set(name, o);
      return o;
    }
    const file = HistoryFile.forReading(this.dir, kind, key);
    if (!file) return null;
    o = { file, ...prepareReads(file.db, kind) };
    this.open.set(name, o);
    if (this.open.size > KEEP_OPEN) {
      const [oldest, least] = this.open.entries().next().value!;
      least.file.close();
      this.open.delete(oldest);
    }
    return o;
  }
}
