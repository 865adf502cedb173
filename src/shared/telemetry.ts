import { z } from 'zod';
import { Quality } from './quality';

export const PointKind = z.enum(['pressure', 'flow', 'temperature', 'position']);
export type PointKind = z.infer<typeof PointKind>;

/** A telemetry point's latest value as the console shows it. */
export const PointView = z.object({
  id: z.string(),
  kind: PointKind.nullable(),
  unit: z.string().nullable(),
  segment: z.string().nullable(),
  valveId: z.string().nullable(),
  value: z.number().nullable(),
  quality: Quality,
  /** Field time of the value (ISO), null if none yet. */
  ts: z.string().nullable(),
});
export type PointView = z.infer<typeof PointView>;

export const TrendRange = z.enum(['1h', '24h', '7d']);
export type TrendRange = z.infer<typeof TrendRange>;

export const Trend = z.object({
  pointId: z.string(),
  /** The range asked for; `custom` for a span between two times. */
  range: z.union([TrendRange, z.literal('custom')]),
  /** Raw samples for short ranges; rollups for long ones (one-minute, one-hour beyond 8 days or where minutes are past retention). */
  source: z.enum(['raw', 'rollup']),
  /** Epoch ms, value (mean for rollups), and for rollups the bucket's min and max. */
  t: z.array(z.number()),
  v: z.array(z.number()),
  /**
   * Rollups before this time are one-hour ones, from it one-minute (absent: all one-minute):
   * spans over 8 days, and times whose minutes are past retention, are drawn from hours.
   */
  hourlyUntil: z.number().optional(),
  min: z.array(z.number()).optional(),
  max: z.array(z.number()).optional(),
});
export type Trend = z.infer<typeof Trend>;

/** What a rollup trend's bucket at time `t` is: one hour, or one minute. */
export function rollupBucket(trend: Pick<Trend, 'hourlyUntil'>, t: number): 'hour' | 'minute' {
  return trend.hourlyUntil !== undefined && t < trend.hourlyUntil ? 'hour' : 'minute';
}

/** How a rollup trend's buckets are described: "one-minute", "one-hour", or both (hours first). */
export function rollupKinds(trend: Pick<Trend, 'hourlyUntil' | 't'>): string {
  const first = trend.t[0];
  const last = trend.t[trend.t.length - 1];
  if (first === undefined || last === undefined) return 'one-minute';
  const a = rollupBucket(trend, first);
  const b = rollupBucket(trend, last);
  return a === b ? `one-${a}` : 'one-hour and one-minute';
}
