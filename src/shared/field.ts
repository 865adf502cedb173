import { z } from 'zod';

/** The MQTT link as operators see it (the frame's OFFLINE banner, the System view). */
export const LinkState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('not_configured') }),
  z.object({ status: z.literal('connecting'), attempt: z.number().int(), since: z.string() }),
  z.object({ status: z.literal('online'), since: z.string() }),
  z.object({ status: z.literal('offline'), since: z.string(), nextAttemptAt: z.string(), reason: z.string() }),
  z.object({ status: z.literal('auth_failed'), since: z.string(), nextAttemptAt: z.string(), reason: z.string() }),
  z.object({ status: z.literal('stopped') }),
]);
export type LinkState = z.infer<typeof LinkState>;
export type LinkStatus = LinkState['status'];

export const IngestCounters = z.object({
  accepted: z.record(z.string(), z.number()),
  /** By "reason topic-pattern", like "not_json valves/+/state". */
  rejected: z.record(z.string(), z.number()),
  rejected_total: z.number(),
  dropped_samples: z.number(),
  /** Telemetry samples committed to the store. */
  written_samples: z.number(),
  write_errors: z.number(),
});
export type IngestCounters = z.infer<typeof IngestCounters>;
