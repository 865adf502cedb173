import { z } from 'zod';

/**
 * A check's status. `not_configured` is honest about a part that is off (the MQTT link
 * before a broker is set) and does not degrade the station.
 */
export const CheckStatus = z.enum(['ok', 'degraded', 'down', 'not_configured']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const HealthCheck = z.object({
  status: CheckStatus,
  /** Why the check is not ok, in words an operator or IT admin can act on. */
  reason: z.string().optional(),
  /** Counters and facts behind the status (ingest counters, database size, …). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

/** The health shape Plainview has answered since it was a web service: existing monitors read it. */
export const Health = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  checks: z.object({
    database: HealthCheck,
    mqtt: HealthCheck,
    event_bus: HealthCheck,
  }),
  uptime_sec: z.number().int().nonnegative(),
  version: z.string(),
});
export type Health = z.infer<typeof Health>;
export type CheckName = keyof Health['checks'];

/** The station is down if any check is down, degraded if any is degraded. */
export function overallStatus(checks: Health['checks']): Health['status'] {
  const statuses = Object.values(checks).map((c) => c.status);
  if (statuses.includes('down')) return 'down';
  if (statuses.includes('degraded')) return 'degraded';
  return 'ok';
}
