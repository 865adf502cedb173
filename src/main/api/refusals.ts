import type { Refusal, RefusalCode } from '../../shared/refusal';
import { ApiFailure } from './errors';

/** How a refusal answers over HTTP: its status, and the code in the body if not its own. */
interface HttpRefusal {
  status: number;
  code?: string;
}

const rule = (code?: string): HttpRefusal => ({ status: 409, code });

/**
 * Every refusal code and what it answers over HTTP, in one table (docs/api.md, "Answers"). The
 * station's rules saying no is 409 with the rule's code; `conflict` keeps the API's older name
 * `refused`, and a throttle is `rate_limited`, like the API's own limits.
 */
export const HTTP_REFUSALS: Record<RefusalCode, HttpRefusal> = {
  unknown_channel: { status: 500, code: 'internal' },
  forbidden_sender: { status: 500, code: 'internal' },
  internal: { status: 500 },
  invalid_input: { status: 400, code: 'invalid_request' },
  not_signed_on: { status: 403 },
  sign_on_failed: { status: 403 },
  role: { status: 403 },
  not_found: { status: 404 },
  valve_unknown: { status: 404, code: 'not_found' },
  conflict: rule('refused'),
  throttled: { status: 429, code: 'rate_limited' },
  unavailable: { status: 503 },
  audit_unavailable: { status: 503 },
  publish_failed: { status: 503 },
  link_offline: rule(),
  valve_stale: rule(),
  valve_bad: rule(),
  valve_fault: rule(),
  local_control: rule(),
  command_in_flight: rule(),
  selection_expired: rule(),
  selection_not_yours: rule(),
  no_change: rule(),
  position_unsupported: rule(),
};

/** A station refusal as the API's error answer. */
export function httpRefusal(r: Refusal): ApiFailure {
  const { status, code } = HTTP_REFUSALS[r.code];
  const retryAfterSec = r.code === 'throttled' ? Math.max(1, Math.ceil(r.retryAfterSec ?? 60)) : undefined;
  // An internal failure's words are for the log, not for the integrator.
  const message = status === 500 ? 'The station could not complete this request; see its log.' : r.message;
  return new ApiFailure(status, code ?? r.code, message, { field: r.field, retryAfterSec });
}
