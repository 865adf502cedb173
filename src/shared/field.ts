import { z } from 'zod';
import { Segment } from './domain/site';
import { PointKind } from './domain/telemetry';
import { Quality } from './domain/quality';
import { Valve } from './domain/valve';
import { ActuationCommand } from './domain/actuation';
import { Alarm } from './domain/alarm';
import { Incident } from './domain/incident';
import { OperatorSession } from './actuation';
import { HandoverReport } from './alarms';

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

export const SiteView = z.object({
  id: z.string(),
  name: z.string(),
  /** DEMO / training site: the console shows a banner nobody can miss. */
  demo: z.boolean(),
  segments: z.array(Segment.pick({ id: true, name: true, seq: true })),
});
export type SiteView = z.infer<typeof SiteView>;

/** A telemetry point's latest value as the console shows it. */
export const PointView = z.object({
  id: z.string(),
  kind: PointKind.nullable(),
  unit: z.string().nullable(),
  segment: z.string().nullable(),
  valveId: z.string().nullable(),
  value: z.number().nullable(),
  quality: Quality,
  /** Field time of the value (ISO), null if none yet. */
  ts: z.string().nullable(),
});
export type PointView = z.infer<typeof PointView>;

export const ValveDetail = z.object({
  valve: Valve,
  /** The valve's own points (position) and its segment's (pressure, flow). */
  points: z.array(PointView),
});
export type ValveDetail = z.infer<typeof ValveDetail>;

export const TrendRange = z.enum(['1h', '24h', '7d']);
export type TrendRange = z.infer<typeof TrendRange>;

export const Trend = z.object({
  pointId: z.string(),
  range: TrendRange,
  /** Raw samples for short ranges, one-minute rollups for long ones. */
  source: z.enum(['raw', 'rollup']),
  /** Epoch ms, value (mean for rollups), and for rollups the minute's min and max. */
  t: z.array(z.number()),
  v: z.array(z.number()),
  min: z.array(z.number()).optional(),
  max: z.array(z.number()).optional(),
});
export type Trend = z.infer<typeof Trend>;

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

/**
 * Changes pushed from main to the console, coalesced: one batch carries the latest of
 * every valve and point that changed since the last one, never one message per MQTT message.
 */
export const FieldBatch = z.object({
  seq: z.number().int(),
  valves: z.array(Valve),
  points: z.array(PointView),
  link: LinkState.optional(),
  site: SiteView.optional(),
  /** Valve commands of this station that changed state (the actuation panel follows them). */
  commands: z.array(ActuationCommand).optional(),
  /** The operator session, when it changed (sign-on, sign-off, idle lock). */
  session: OperatorSession.optional(),
  /** Alarms that changed (raised, cleared, acknowledged, shelved, resolved), on any console. */
  alarms: z.array(Alarm).optional(),
  /** Incidents that changed, on any console. */
  incidents: z.array(Incident).optional(),
  /** Handover reports prepared, signed off or acknowledged, on any console. */
  handovers: z.array(HandoverReport).optional(),
  /** The operator clicked an alarm notification: show the Alarms view, with this alarm if set. */
  focus: z.object({ alarmId: z.string().nullable() }).optional(),
});
export type FieldBatch = z.infer<typeof FieldBatch>;
