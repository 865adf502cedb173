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
