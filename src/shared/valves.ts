import { z } from 'zod';
import { TopicSafeId, ValveId, Timestamp } from './ids';
import { Quality } from './quality';
import { PointView } from './telemetry';

export const ValveState = z.enum(['open', 'closed', 'opening', 'closing', 'fault', 'unknown']);
export type ValveState = z.infer<typeof ValveState>;

export const Valve = z.object({
  id: ValveId,
  siteId: TopicSafeId,
  name: z.string().min(1).max(200),
  segment: TopicSafeId,
  state: ValveState,
  /** Percent open, 0 (closed) to 100 (fully open); null until the field has reported. */
  position: z.number().min(0).max(100).nullable(),
  quality: Quality,
  /** True while the valve is under local (field) control and must not be commanded remotely. */
  localControl: z.boolean(),
  /** Whether the valve accepts set-position commands, not only open and close. */
  supportsPosition: z.boolean(),
  /** When the field last reported this state (field clock), null if never. */
  updatedAt: Timestamp.nullable(),
});
export type Valve = z.infer<typeof Valve>;

export const ValveDetail = z.object({
  valve: Valve,
  /** The valve's own points (position) and its segment's (pressure, flow). */
  points: z.array(PointView),
});
export type ValveDetail = z.infer<typeof ValveDetail>;
