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
  /** Raw samples for short ranges, one-minute rollups for long ones. */
  source: z.enum(['raw', 'rollup']),
  /** Epoch ms, value (mean for rollups), and for rollups the minute's min and max. */
  t: z.array(z.number()),
  v: z.array(z.number()),
  min: z.array(z.number()).optional(),
  max: z.array(z.number()).optional(),
});
export type Trend = z.infer<typeof Trend>;
