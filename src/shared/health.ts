import { z } from 'zod';

/**
 * A check's status in its details. `not_configured` is honest about a part that is off (the
 * MQTT link before a broker is set) and does not degrade the station.
 */
export const CheckStatus = z.enum(['ok', 'degraded', 'down', 'not_configured']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/** The three words the web service's monitors read in `status` and in each of `checks`. */
export const SeedStatus = z.enum(['ok', 'degraded', 'down']);
export type SeedStatus = z.infer<typeof SeedStatus>;

export const HealthCheck = z.object({
  status: CheckStatus,
  /** Why the check is not ok, in words an operator or IT admin can act on. */
  reason: z.string().optional(),
  /** Counters and facts behind the status (ingest counters, database size, …). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

/**
 * The health shape Plainview has answered since it was a web service (PRODUCTION_READY.md):
 * `status` and each of `checks` are the strings `ok` / `degraded` / `down`, so a seed-era
 * monitor keeps working. What is behind each check (its own status, with `not_configured`,
 * the reason, the counters) is in `details` under the same name. `demo` is true while the
 * simulated DEMO site runs (no broker configured): a monitor must not take it for a field.
 */
export const Health = z.object({
  status: SeedStatus,
  checks: z.object({
    database: SeedStatus,
    mqtt: SeedStatus,
    event_bus: SeedStatus,
  }),
  details: z.object({
    database: HealthCheck,
    mqtt: HealthCheck,
    event_bus: HealthCheck,
  }),
  demo: z.boolean(),
  uptime_sec: z.number().int().nonnegative(),
  version: z.string(),
});
export type Health = z.infer<typeof Health>;
export type CheckName = keyof Health['checks'];

/** A check's word for the seed's monitors: `not_configured` is not a fault, so `ok`. */
export function seedStatus(check: HealthCheck): SeedStatus {
  return check.status === 'not_configured' ? 'ok' : check.status;
}

/** The station is down if any check is down, degraded if any is degraded. */
export function overallStatus(checks: Health['checks']): SeedStatus {
  const statuses = Object.values(checks);
  if (statuses.includes('down')) return 'down';
  if (statuses.includes('degraded')) return 'degraded';
  return 'ok';
}
