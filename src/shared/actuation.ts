import { z } from 'zod';
import { ActuationAction, ActuationCommand, CommandState } from './domain/actuation';
import { ValveId } from './domain/ids';
import { Quality } from './domain/quality';
import { OperatorRole } from './domain/operator';
import { ValveState } from './domain/valve';

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

export const OperatorSession = z.object({
  /** Null when sign-on is required and nobody is signed on (the console is locked). */
  operator: z.string().nullable(),
  displayName: z.string().nullable(),
  role: OperatorRole.nullable(),
  /** How the operator is known: their own station account, or the OS account. */
  via: z.enum(['sign_on', 'os_account']).nullable(),
  signOnRequired: z.boolean(),
  /** When the console locks itself for idleness (sign-on only). */
  idleLockAt: z.string().nullable(),
});
export type OperatorSession = z.infer<typeof OperatorSession>;
