import { z } from 'zod';

/**
 * Why the station did not do what it was asked, as a code. Code decides, never the message:
 * the console maps codes to words (src/renderer/client.ts), the HTTP API maps them to statuses
 * through one table (src/main/api/refusals.ts). Adding a code is a type error until both do.
 */
export const RefusalCode = z.enum([
  // The call itself (IPC): it never reached a rule.
  'unknown_channel',
  'forbidden_sender',
  'invalid_input',
  'internal',
  // Who asks.
  'not_signed_on',
  'sign_on_failed',
  'role',
  // Rules any room can apply.
  'not_found',
  'conflict',
  'throttled',
  'unavailable',
  // Valve actuation: each one a rule in docs/safety.md.
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
  'audit_unavailable',
  'publish_failed',
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

/** The one shape of "refused", from every room and over every transport. */
export const Refusal = z.object({
  code: RefusalCode,
  /** Plain words for the person who asked; never parsed. */
  message: z.string(),
  /** When a retry can succeed (`throttled`), in seconds. */
  retryAfterSec: z.number().nonnegative().optional(),
  /** For `invalid_input`: the path of the first field that failed, like `valveId`. */
  field: z.string().optional(),
  /** The call's request id, to find it in the log. */
  requestId: z.string().optional(),
});
export type Refusal = z.infer<typeof Refusal>;

/** What every call that can be refused answers: the value, or the refusal. Nothing is thrown. */
export type Result<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const refuse = <T = never>(
  code: RefusalCode,
  message: string,
  more: Omit<Refusal, 'code' | 'message'> = {},
): Result<T> => ({ ok: false, refusal: { code, message, ...more } });

/** The schema of a `Result<T>`, for answers that carry one result per item (bulk acknowledge). */
export function resultOf<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), refusal: Refusal }),
  ]);
}
