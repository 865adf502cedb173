import { z } from 'zod';
import { TopicSafeId, ValveId, Timestamp } from './ids';
import { Quality } from './quality';

export const PointKind = z.enum(['pressure', 'flow', 'temperature', 'position']);
export type PointKind = z.infer<typeof PointKind>;

/** A measured quantity in the field: one pressure transmitter, one flow meter. */
export const TelemetryPoint = z.object({
  id: z.string().min(1).max(128),
  siteId: TopicSafeId,
  kind: PointKind,
  unit: z.string().min(1).max(16),
  segment: TopicSafeId.nullable(),
  valveId: ValveId.nullable(),
  /** A value not refreshed within this many milliseconds is shown stale; null: site default. */
  staleAfterMs: z.number().int().positive().nullable(),
});
export type TelemetryPoint = z.infer<typeof TelemetryPoint>;

export const TelemetrySample = z.object({
  pointId: z.string().min(1).max(128),
  ts: Timestamp,
  value: z.number().finite(),
  quality: Quality,
});
export type TelemetrySample = z.infer<typeof TelemetrySample>;

/** One-minute rollup of raw samples; kept longer than the raw samples. */
export const TelemetryRollup = z.object({
  pointId: z.string(),
  bucket: Timestamp,
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  last: z.number(),
  count: z.number().int().nonnegative(),
});
export type TelemetryRollup = z.infer<typeof TelemetryRollup>;
