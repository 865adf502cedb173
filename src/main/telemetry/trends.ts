import type { Database, Statement } from 'better-sqlite3';
import type { Trend, TrendRange } from '../../shared/telemetry';
import { partitionOf } from '../history/layout';
import type { HistoryReader, RollupRow } from '../history/reader';
import { HOUR_MS, MINUTE_MS, rollUp } from '../history/rollup-math';
import { prepareTrends } from './sql';

const SPAN_MS: Record<TrendRange, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
/** Spans up to this long are drawn from raw samples; longer ones from one-minute rollups. */
const RAW_SPAN_MS = 2 * 3_600_000;
/** Spans longer than this are drawn from one-hour rollups (a year is 8,760 of them). */
const MINUTES_SPAN_MS = 8 * 86_400_000;
/** More raw samples than this are thinned evenly: a trend is ~1,000 pixels wide. */
const MAX_RAW_POINTS = 4000;

/** Samples as two columns. */
interface Series {
  ts: number[];
  values: number[];
}

/** Where a trend's data is, oldest first: the history files, the rows of schema v8, what is not in a file yet. */
export interface TrendSources {
  db: Database;
  history: HistoryReader;
  /** The oldest time minute rollups are kept for (retention drops them sooner than hours). */
  minutesFrom(): number;
  /** Samples not yet in a block (the writer thread's open blocks). */
  open(pointId: string, from: number, to: number): Promise<Series>;
  /** Samples not yet handed to the writer thread (the newest). */
  pending(pointId: string, from: number, to: number): Series;
}

/**
 * Trends: raw samples for short spans, minute rollups up to a week, hour rollups beyond (and
 * for the part of a span whose minutes retention has dropped), from the history files, the v8
 * rows not yet moved into them, and the samples not yet in a block.
 */
export class Trends {
  private readonly old: { raw: Statement; rollups: Statement };

  constructor(private readonly s: TrendSources) {
    this.old = prepareTrends(s.db);
  }

  /** The last hour, day or week. */
  get(pointId: string, range: TrendRange, now: number): Promise<Trend> {
    return this.read(pointId, now - SPAN_MS[range], now, range);
  }

  /** Any span the operator picks. */
  between(pointId: string, from: number, to: number): Promise<Trend> {
    return this.read(pointId, from, to, 'custom');
  }

  private async read(pointId: string, from: number, to: number, range: Trend['range']): Promise<Trend> {
    const span = to - from;
    if (range === '1h' || (range === 'custom' && span <= RAW_SPAN_MS)) {
      const s = await this.samples(pointId, from, to);
      const step = Math.max(1, Math.ceil(s.ts.length / MAX_RAW_POINTS));
      const keep = (_: number, i: number) => step === 1 || i % step === 0 || i === s.ts.length - 1;
      return { pointId, range, source: 'raw', t: s.ts.filter(keep), v: s.values.filter(keep) };
    }
    const hours = range === 'custom' && span > MINUTES_SPAN_MS;
    const { rows, hourlyUntil } = hours
      ? { rows: await this.rollups(pointId, from, to, 'hours'), hourlyUntil: to + 1 }
      : await this.minutes(pointId, from, to);
    return {
      pointId,
      range,
      source: 'rollup',
      ...(hourlyUntil > from ? { hourlyUntil } : {}),
      t: rows.map((r) => r[0]),
      v: rows.map((r) => r[1] / r[2]),
      min: rows.map((r) => r[3]),
      max: rows.map((r) => r[4]),
    };
  }

  /**
   * Minute rollups, and hour rollups before the oldest minutes kept: the first whole hour from
   * there on is where the minutes take over, so no time is counted in both.
   */
  private async minutes(
    pointId: string,
    from: number,
    to: number,
  ): Promise<{ rows: RollupRow[]; hourlyUntil: number }> {
    const kept = this.s.minutesFrom();
    if (from >= kept) return { rows: await this.rollups(pointId, from, to, 'minutes'), hourlyUntil: from };
    const split = Math.min(Math.ceil(kept / HOUR_MS) * HOUR_MS, to + 1);
    const before = await this.rollups(pointId, from, split - 1, 'hours');
    const after = split <= to ? await this.rollups(pointId, split, to, 'minutes') : [];
    return { rows: [...before, ...after], hourlyUntil: split };
  }

  /** Every sample of the span, in time order, each time once. */
  private async samples(pointId: string, from: number, to: number): Promise<Series> {
    const open = await this.s.open(pointId, from, to);
    // The v8 rows before the files: a row moved meanwhile is in its file by then (history/move-rows.ts).
    const old = this.oldSamples(pointId, from, to);
    const parts = [this.s.history.samples(pointId, from, to), old, open];
    parts.push(this.s.pending(pointId, from, to));
    return merge(parts);
  }

  private oldSamples(pointId: string, from: number, to: number): Series {
    const rows = this.old.raw.all(pointId, from, to) as [number, number][];
    return { ts: rows.map((r) => r[0]), values: rows.map((r) => r[1]) };
  }

  /** Rollup buckets of the span from the files, the v8 rows and the samples not in a block, merged by bucket. */
  private async rollups(pointId: string, from: number, to: number, kind: 'minutes' | 'hours'): Promise<RollupRow[]> {
    const size = kind === 'hours' ? HOUR_MS : MINUTE_MS;
    const open = await this.s.open(pointId, from, to);
    const fresh = merge([open, this.s.pending(pointId, from, to)]);
    const byBucket = new Map<number, RollupRow>();
    const add = (r: RollupRow) => {
      const b = byBucket.get(r[0]);
      if (!b) return void byBucket.set(r[0], [...r]);
      b[1] += r[1];
      b[2] += r[2];
      b[3] = Math.min(b[3], r[3]);
      b[4] = Math.max(b[4], r[4]);
    };
    // The v8 rows before the files, and those a file holds already left out (history/move-rows.ts).
    const old = this.old.rollups.all(pointId, from, to) as RollupRow[];
    const files = this.s.history.rollupsAndMoved(kind, pointId, from, to);
    for (const r of files.rows) add(r);
    // v8 rows are minutes: a wider bucket takes them whole.
    for (const [bucket, mean, count, min, max] of old)
      if (bucket > (files.movedThrough.get(partitionOf(kind, bucket)) ?? -Infinity))
        add([bucket - (bucket % size), mean * count, count, min, max]);
    for (const b of rollUp(fresh.ts, fresh.values, size)) add([b.bucket, b.sum, b.count, b.min, b.max]);
    return [...byBucket.values()].sort((a, b) => a[0] - b[0]);
  }
}

/** Several series into one in time order, a time that appears twice kept once (the first source's). */
function merge(parts: Series[]): Series {
  const all: [number, number][] = [];
  for (const p of parts) for (let i = 0; i < p.ts.length; i++) all.push([p.ts[i]!, p.values[i]!]);
  all.sort((a, b) => a[0] - b[0]);
  const out: Series = { ts: [], values: [] };
  for (const [t, v] of all) {
    if (out.ts.length && out.ts[out.ts.length - 1] === t) continue;
    out.ts.push(t);
    out.values.push(v);
  }
  return out;
}
