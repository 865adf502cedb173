import type { Statement } from 'better-sqlite3';
import { decodeBlock } from './codec';
import { isDamage } from './damage';
import { HistoryFile } from './file';
import { partitionsBetween, type HistoryKind } from './layout';
import { BLOCK_WINDOW_MS } from './open-block';
import { prepareReads } from './sql';

/** Connections kept open for reading: a year of hour rollups is 13 files, a week of samples 8. */
const KEEP_OPEN = 48;

interface Open {
  file: HistoryFile;
  point: Statement;
  rows: Statement;
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
    const out: RollupRow[] = [];
    for (const key of partitionsBetween(kind, from, to))
      for (const r of this.rows(kind, key, point, [from, to]) as RollupRow[]) out.push(r);
    return out;
  }

  /**
   * A point's rows of one file for a span; none when the file or the point is absent, or the
   * file is damaged (the writer moves it aside and raises an alarm; a trend shows the rest).
   */
  private rows(kind: HistoryKind, key: string, point: string, span: number[]): unknown[] {
    try {
      const f = this.file(kind, key);
      const id = f && (f.point.get(point) as number | undefined);
      return f && id !== undefined ? f.rows.all(id, ...span) : [];
    } catch (err) {
      if (!isDamage(err)) throw err;
      this.forget(kind, key);
      return [];
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
