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

/**
 * Why select or operate was refused, as a code the console maps to plain words. Each one is
 * a rule in docs/safety.md.
 */
export const RefusalCode = z.enum([
  'link_offline',
  'valve_unknown',
  'valve_stale',
  'valve_bad',
  'valve_fault',
  'local_control',
  'command_in_flight',
  'selection_expired',
  'selection_not_yours',
  'no_change',
  'position_unsupported',
  'role',
  'not_signed_on',
  'throttled',
  'audit_unavailable',
  'publish_failed',
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

export const Refusal = z.object({
  code: RefusalCode,
  message: z.string(),
  /** For `throttled`: when a retry can succeed. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type Refusal = z.infer<typeof Refusal>;

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

export const SelectResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), selection: Selection }),
  z.object({ ok: z.literal(false), refusal: Refusal }),
]);
export type SelectResult = z.infer<typeof SelectResult>;

export const OperateResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), command: ActuationCommand }),
  z.object({ ok: z.literal(false), refusal: Refusal }),
]);
export type OperateResult = z.infer<typeof OperateResult>;

export const CommandTransition = z.object({ state: CommandState, at: z.string(), detail: z.string().nullable() });
export const CommandHistory = z.object({ command: ActuationCommand, transitions: z.array(CommandTransition) });
export type CommandHistory = z.infer<typeof CommandHistory>;
