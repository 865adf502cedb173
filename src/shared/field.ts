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

/**
 * The broker said no to one topic: a PUBACK or SUBACK reason code of 0x80 or more (MQTT 5;
 * under 3.1.1 only a SUBACK can say 0x80), or a broker that closes the connection whenever
 * this topic is published (`held`: the station stops publishing it until it restarts).
 */
export const BrokerRefusal = z.object({
  kind: z.enum(['publish', 'subscribe']),
  /** The topic published, or the topic filter subscribed. */
  topic: z.string(),
  /** The reason code (0 when the broker closed the connection without one). */
  code: z.number().int(),
  /** The reason's name, e.g. "Not authorized (0x87)". */
  reason: z.string(),
  at: z.string(),
  held: z.boolean(),
});
export type BrokerRefusal = z.infer<typeof BrokerRefusal>;

/** "publish plainview/v1/north/snapshots/alarms/a1 (Not authorized (0x87)); subscribe …", at most five. */
export function describeRefusals(refusals: readonly BrokerRefusal[]): string {
  const shown = refusals
    .slice(0, 5)
    .map((r) => `${r.kind} ${r.topic} (${r.reason}${r.held ? '; no longer published' : ''})`);
  const more = refusals.length > 5 ? `; and ${refusals.length - 5} more` : '';
  return shown.join('; ') + more;
}

/** Facts about the link beyond its state: the System view's link panel and health show them. */
export const LinkFacts = z.object({
  /** What the configuration asks for. */
  protocolSetting: z.enum(['auto', '5', '3.1.1']),
  /** The version in use (the last one that connected), null before the first connection. */
  protocol: z.enum(['5', '3.1.1']).nullable(),
  refusals: z.array(BrokerRefusal),
  /** Configuration the station runs with but warns about (a password over plain mqtt://). */
  warnings: z.array(z.string()),
});
export type LinkFacts = z.infer<typeof LinkFacts>;

export const IngestCounters = z.object({
  accepted: z.record(z.string(), z.number()),
  /** By "reason topic-pattern", like "not_json valves/+/state". */
  rejected: z.record(z.string(), z.number()),
  rejected_total: z.number(),
  dropped_samples: z.number(),
  /** Telemetry samples committed to the store. */
  written_samples: z.number(),
  /** Samples for a point and time already stored: the first is kept, these were not (a redelivery, or two values stamped alike). */
  duplicate_samples: z.number(),
  /** Samples older than the raw history kept (a gateway replaying a very old buffer): not stored. */
  too_old_samples: z.number(),
  /** Samples within their point's compression deviation: not kept in history (live values saw them). */
  compressed_samples: z.number(),
  write_errors: z.number(),
});
export type IngestCounters = z.infer<typeof IngestCounters>;
