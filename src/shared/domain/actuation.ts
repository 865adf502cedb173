import { z } from 'zod';
import { TopicSafeId, ValveId, Timestamp } from './ids';

export const ActuationAction = z.enum(['open', 'close', 'set_position']);
export type ActuationAction = z.infer<typeof ActuationAction>;

/**
 * A command's lifecycle. `unknown` is what a command in flight becomes when the station
 * restarts: it is never sent again, an operator must verify the field state.
 */
export const CommandState = z.enum([
  'selected',
  'sent',
  'accepted',
  'completed',
  'rejected',
  'failed',
  'timed_out',
  'expired',
  'cancelled',
  'unknown',
]);
export type CommandState = z.infer<typeof CommandState>;

export const ActuationCommand = z.object({
  id: z.uuid(),
  valveId: ValveId,
  action: ActuationAction,
  targetPosition: z.number().min(0).max(100).nullable(),
  state: CommandState,
  reason: z.string().nullable(),
  operator: z.string().min(1),
  stationId: TopicSafeId,
  correlationId: z.string().nullable(),
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  updatedAt: Timestamp,
});
export type ActuationCommand = z.infer<typeof ActuationCommand>;
