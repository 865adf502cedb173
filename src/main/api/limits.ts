import type { Config } from '../config';

/**
 * The API's request limits, per key (per client without a key), over a minute: every request,
 * incident and alarm changes, actuation calls (routes name their class in
 * src/shared/api/routes.ts). These limit HTTP requests; the station's own throttles limit what
 * is done, whoever asks: valve commands in src/main/actuation/service.ts
 * (`actuationsPerMinute`, `valveCooldownSec`), alarm and incident changes in
 * src/main/operators/guard.ts (`incidentMutationsPerMinute`).
 */
export interface ApiLimits {
  overall: number;
  mutation: number;
  actuation: number;
}

export const apiLimits = (
  c: Pick<Config, 'apiRequestsPerMinute' | 'apiMutationsPerMinute' | 'apiActuationsPerMinute'>,
): ApiLimits => ({
  overall: c.apiRequestsPerMinute,
  mutation: c.apiMutationsPerMinute,
  actuation: c.apiActuationsPerMinute,
});
