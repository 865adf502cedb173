import { z } from 'zod';
import { TopicSafeId, ValveId, Timestamp } from './ids';
import { Quality } from './quality';
import { ValveState } from './valves';

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

export const SelectInput = z.object({
  valveId: ValveId,
  action: ActuationAction,
  position: z.number().min(0).max(100).optional(),
});
export type SelectInput = z.infer<typeof SelectInput>;

/** A checked, short-lived permission to send one command; shows what the operator decides on. */
export const Selection = z.object({
  id: z.uuid(),
  valveId: ValveId,
  valveName: z.string(),
  action: ActuationAction,
  targetPosition: z.number().min(0).max(100).nullable(),
  /** The valve as it was when selected. */
  state: ValveState,
  position: z.number().nullable(),
  quality: Quality,
  ageMs: z.number().nullable(),
  /** In words: "Close v-101 Inlet block (now open, 100 %)". */
  summary: z.string(),
  operator: z.string(),
  expiresAt: z.string(),
});
export type Selection = z.infer<typeof Selection>;

export const CommandTransition = z.object({ state: CommandState, at: z.string(), detail: z.string().nullable() });
export const CommandHistory = z.object({ command: ActuationCommand, transitions: z.array(CommandTransition) });
export type CommandHistory = z.infer<typeof CommandHistory>;
