import type { Refusal, RefusalCode } from '../../shared/refusal';

/**
 * How the console words a refusal: a short heading per code over the station's own message,
 * and the live retry countdown of a throttled action. Pure: every function takes `now`.
 */
/** A short heading per refusal code; the station's message (plain words) goes under it. */
export const REFUSAL_HEADINGS: Record<RefusalCode, string> = {
  unknown_channel: 'The station could not be asked',
  forbidden_sender: 'The station could not be asked',
  invalid_input: 'The request was not valid',
  internal: 'The station could not complete this',
  unavailable: 'The station cannot do this now',
  not_found: 'Not found',
  conflict: 'Not possible now',
  sign_on_failed: 'Sign-on refused',
  link_offline: 'Field link offline',
  valve_unknown: 'Unknown valve',
  valve_stale: 'Valve state is stale',
  valve_bad: 'Valve state is bad',
  valve_fault: 'Valve in fault',
  local_control: 'Valve under local control',
  command_in_flight: 'A command is already in flight',
  selection_expired: 'Selection expired',
  selection_not_yours: 'Selection belongs to another operator',
  no_change: 'Nothing to change',
  position_unsupported: 'Set position not supported',
  role: 'Your role cannot operate valves',
  not_signed_on: 'Not signed on',
  throttled: 'Too many commands',
  audit_unavailable: 'Audit log unavailable: nothing was sent',
  publish_failed: 'The command could not be sent',
};

/** What the panel shows for a refusal, or for a call that failed before the station decided. */
export interface ShownRefusal {
  code: RefusalCode | 'error';
  message: string;
  retryAfterMs?: number;
  /** Console time the refusal arrived, for the retry countdown. */
  at: number;
}

/** A refusal as the panel shows it: when to retry in console milliseconds, from when it arrived. */
export function shownRefusal(r: Refusal, at: number): ShownRefusal {
  const base = { code: r.code, message: r.message, at };
  return r.retryAfterSec === undefined ? base : { ...base, retryAfterMs: Math.round(r.retryAfterSec * 1000) };
}

/** The heading for a refusal code; an unknown code (a newer station) still reads sensibly. */
export function refusalHeading(code: string): string {
  if (code === 'error') return 'The station could not be asked';
  return (REFUSAL_HEADINGS as Record<string, string>)[code] ?? 'Refused';
}

/**
 * The refusal's message without a trailing "Retry in N s." when the panel shows its own live
 * retry countdown beside it (the station's number is fixed at the moment of refusal).
 */
export function refusalMessage(refusal: Pick<ShownRefusal, 'message' | 'retryAfterMs'>): string {
  if (refusal.retryAfterMs === undefined) return refusal.message;
  return refusal.message.replace(/\s*Retry in \d+ s\.?\s*$/i, '').trim() || refusal.message;
}

/** Whole seconds until a throttled action may be retried (rounded up, never negative). */
export function retrySeconds(retryAfterMs: number, refusedAt: number, now: number): number {
  return Math.max(0, Math.ceil((refusedAt + retryAfterMs - now) / 1000));
}

/** "Retry in 6 s", or "You can retry now" once the wait is over. */
export function formatRetry(seconds: number): string {
  return seconds > 0 ? `Retry in ${seconds} s` : 'You can retry now';
}
