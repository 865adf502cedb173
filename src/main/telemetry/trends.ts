import type { Database, Statement } from 'better-sqlite3';
import type { Trend, TrendRange } from '../../shared/telemetry';
import { prepareTrends } from './sql';

const SPAN_MS: Record<TrendRange, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
/** Spans up to this long are drawn from raw samples; longer ones from one-minute rollups. */
const RAW_SPAN_MS = 2 * 3_600_000;
/** More raw samples than this are thinned evenly: a trend is ~1,000 pixels wide. */
const MAX_RAW_POINTS = 4000;

/** Trends from the store: raw samples for short spans (the last hour), one-minute rollups beyond. */
export class Trends {
  private readonly raw: Statement;
  private readonly rollups: Statement;

  constructor(db: Database) {
    ({ raw: this.raw, rollups: this.rollups } = prepareTrends(db));
  }

  /** The last hour, day or week. */
  get(pointId: string, range: TrendRange, now: number): Trend {
    return this.read(pointId, now - SPAN_MS[range], now, range === '1h', range);
  }

  /** Any span the operator picks: raw samples up to two hours, rollups beyond. */
  between(pointId: string, from: number, to: number): Trend {
    return this.read(pointId, from, to, to - from <= RAW_SPAN_MS, 'custom');
  }

  private read(pointId: string, from: number, to: number, raw: boolean, range: Trend['range']): Trend {
    if (raw) {
      const rows = this.raw.all(pointId, from, to) as [number, number][];
      const step = Math.max(1, Math.ceil(rows.length / MAX_RAW_POINTS));
      const kept = step === 1 ? rows : rows.filter((_, i) => i % step === 0 || i === rows.length - 1);
      return { pointId, range, source: 'raw', t: kept.map((r) => r[0]), v: kept.map((r) => r[1]) };
    }
    const rows = this.rollups.all(pointId, from, to) as [number, number, number, number][];
    return {
      pointId,
      range,
      source: 'rollup',
      t: rows.map((r) => r[0]),
      v: rows.map((r) => r[1]),
      min: rows.map((r) => r[2]),
      max: rows.map((r) => r[3]),
    };
  }
}
