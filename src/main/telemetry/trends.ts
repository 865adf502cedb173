import type { Database, Statement } from 'better-sqlite3';
import type { Trend, TrendRange } from '../../shared/telemetry';
import { prepareTrends } from './sql';

const SPAN_MS: Record<TrendRange, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
/** More raw samples than this in an hour are thinned evenly: a trend is ~1,000 pixels wide. */
const MAX_RAW_POINTS = 4000;

/** Trends from the store: raw samples for the last hour, one-minute rollups beyond. */
export class Trends {
  private readonly raw: Statement;
  private readonly rollups: Statement;

  constructor(db: Database) {
    ({ raw: this.raw, rollups: this.rollups } = prepareTrends(db));
  }

  get(pointId: string, range: TrendRange, now: number): Trend {
    const from = now - SPAN_MS[range];
    if (range === '1h') {
      const rows = this.raw.all(pointId, from) as [number, number][];
      const step = Math.max(1, Math.ceil(rows.length / MAX_RAW_POINTS));
      const kept = step === 1 ? rows : rows.filter((_, i) => i % step === 0 || i === rows.length - 1);
      return { pointId, range, source: 'raw', t: kept.map((r) => r[0]), v: kept.map((r) => r[1]) };
    }
    const rows = this.rollups.all(pointId, from) as [number, number, number, number][];
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
