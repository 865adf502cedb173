import type { Quality } from '../../shared/quality';

export interface QualityInputs {
  /** What the field said: good, uncertain or bad. */
  field: Quality;
  linkOnline: boolean;
  gatewayOnline: boolean;
  /** Milliseconds since the station last received the value; null when age does not matter. */
  ageMs: number | null;
  staleAfterMs: number;
}

/**
 * The quality an operator sees. `bad` from the field wins: it is the worse news. Otherwise a
 * value is stale when it cannot be current: the link is down, its gateway is offline, or it
 * was not refreshed in time. Valve states are event-driven (sent on change), so for them
 * age is not a reason; points are sampled continuously, so it is.
 */
export function effectiveQuality(q: QualityInputs): Quality {
  if (q.field === 'bad') return 'bad';
  if (!q.linkOnline || !q.gatewayOnline) return 'stale';
  if (q.ageMs !== null && q.ageMs > q.staleAfterMs) return 'stale';
  return q.field;
}
