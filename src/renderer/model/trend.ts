import type { Trend, TrendRange } from '../../shared/telemetry';

/** Trend helpers, pure. */
export const RANGE_MS: Record<TrendRange, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
export const RANGE_TEXT: Record<TrendRange, string> = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
};
export const RANGES: readonly TrendRange[] = ['1h', '24h', '7d'];

/**
 * A raw trend with one live value appended (when newer than its last sample), and samples
 * older than the range dropped. The same trend when nothing changes.
 */
export function appendLive(trend: Trend, t: number, value: number, now: number): Trend {
  // A custom span is the operator's window on the past: live values do not move it.
  if (trend.range === 'custom' || trend.source !== 'raw' || !Number.isFinite(t) || !Number.isFinite(value))
    return trend;
  const last = trend.t.length ? trend.t[trend.t.length - 1]! : -Infinity;
  if (t <= last) return trend;
  const from = now - RANGE_MS[trend.range];
  let drop = 0;
  while (drop < trend.t.length && trend.t[drop]! < from) drop++;
  return { ...trend, t: [...trend.t.slice(drop), t], v: [...trend.v.slice(drop), value] };
}

export function summarizeTrend(trend: Trend): {
  count: number;
  min: number | null;
  max: number | null;
  last: number | null;
} {
  const lows = trend.min ?? trend.v;
  const highs = trend.max ?? trend.v;
  let min = Infinity;
  let max = -Infinity;
  for (const x of lows) if (x < min) min = x;
  for (const x of highs) if (x > max) max = x;
  const n = trend.v.length;
  return {
    count: n,
    min: n ? min : null,
    max: n ? max : null,
    last: n ? trend.v[n - 1]! : null,
  };
}

/** A series' values, null where the line must break (uPlot draws a gap at a null). */
export type GapSeries = (number | null)[];

/**
 * The usual time between two samples: the median of the steps (ms), robust to the odd late
 * sample and to an outage; null with fewer than three samples.
 */
export function usualInterval(t: readonly number[]): number | null {
  if (t.length < 3) return null;
  const steps: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const d = t[i]! - t[i - 1]!;
    if (d > 0) steps.push(d);
  }
  if (!steps.length) return null;
  steps.sort((a, b) => a - b);
  const mid = steps.length >> 1;
  return steps.length % 2 ? steps[mid]! : (steps[mid - 1]! + steps[mid]!) / 2;
}

/** Samples further apart than this many usual intervals are not joined by a line. */
export const GAP_FACTOR = 3;

/**
 * The samples with a null inserted (halfway in time) wherever two consecutive samples are
 * more than `factor` usual intervals apart, in every series given (a rollup's mean, min and
 * max alike), so that a chart breaks the line where the data stopped instead of drawing a
 * straight line across the outage. The same arrays, copied, when there is no gap.
 */
export function withGaps(
  t: readonly number[],
  series: readonly (readonly number[])[],
  factor = GAP_FACTOR,
): { t: number[]; series: GapSeries[] } {
  const usual = usualInterval(t);
  const out = { t: [] as number[], series: series.map((): GapSeries => []) };
  for (let i = 0; i < t.length; i++) {
    if (usual !== null && i > 0 && t[i]! - t[i - 1]! > factor * usual) {
      out.t.push((t[i - 1]! + t[i]!) / 2);
      for (const s of out.series) s.push(null);
    }
    out.t.push(t[i]!);
    series.forEach((s, k) => out.series[k]!.push(s[i] ?? null));
  }
  return out;
}

/**
 * A y range that holds the data and the values given (limits, so their lines stay in view),
 * with a little room above and below.
 */
export function yRangeWith(
  dataMin: number | null,
  dataMax: number | null,
  include: readonly number[],
): [number, number] {
  const all = [dataMin, dataMax, ...include].filter((x): x is number => x !== null && Number.isFinite(x));
  if (!all.length) return [0, 1];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = hi - lo > 1e-9 ? (hi - lo) * 0.08 : Math.max(1, Math.abs(hi) * 0.05);
  return [lo - pad, hi + pad];
}
