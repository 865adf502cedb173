import { z } from 'zod';
import { DefinitionSet, FieldChange } from '../limits';
import { OperatorRecord } from '../operators';
import { AlarmPriority } from '../alarms';
import { ActuationAction } from '../actuation';
import { TopicSafeId, ValveId, Timestamp } from '../ids';
import { PointKind } from '../telemetry';
import { Quality } from '../quality';
import { ValveState } from '../valves';

/**
 * Payloads of protocol v2, one zod schema each, used alike by the station, the simulator
 * and the tests. v2 keeps v1's fields; `v` says which protocol the payload is (2, or 1 from a
 * v1 gateway during a transition) and must match the topic's root: the station checks that
 * before the schema (src/main/field/ingest.ts). Unknown extra fields are tolerated (a newer
 * gateway may add some); a missing or other version is rejected and counted.
 */
const V = z.literal([1, 2]);

export const SiteMessage = z.looseObject({
  v: V,
  name: z.string().min(1).max(200),
  /** Set by the simulator: the console shows a DEMO / TRAINING banner. */
  demo: z.boolean().default(false),
  segments: z
    .array(z.looseObject({ id: TopicSafeId, name: z.string().min(1).max(200), seq: z.number().int() }))
    .max(10_000),
});
export type SiteMessage = z.infer<typeof SiteMessage>;

/** A valve's state as its gateway reports it; retained, so a station joining late has it. */
export const ValveStateMessage = z.looseObject({
  v: V,
  ts: Timestamp,
  gateway: TopicSafeId,
  name: z.string().min(1).max(200),
  segment: TopicSafeId,
  state: ValveState,
  position: z.number().min(0).max(100).nullable(),
  /** good or uncertain from a healthy instrument, bad when the field says so. */
  quality: z.enum(['good', 'uncertain', 'bad']),
  localControl: z.boolean(),
  supportsPosition: z.boolean().default(false),
  fault: z.string().max(500).nullable().default(null),
});
export type ValveStateMessage = z.infer<typeof ValveStateMessage>;

/** From a station to the field: QoS 1, never retained, useless after `expiresAt`. */
export const ValveCommandMessage = z.looseObject({
  v: V,
  id: z.uuid(),
  valve: ValveId,
  action: ActuationAction,
  position: z.number().min(0).max(100).nullable(),
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  operator: z.string().min(1).max(200),
  station: TopicSafeId,
});
export type ValveCommandMessage = z.infer<typeof ValveCommandMessage>;

export const AckStatus = z.enum(['accepted', 'rejected', 'completed', 'failed']);
export const ValveAckMessage = z.looseObject({
  v: V,
  commandId: z.uuid(),
  status: AckStatus,
  reason: z.string().max(500).nullable().default(null),
  ts: Timestamp,
});
export type ValveAckMessage = z.infer<typeof ValveAckMessage>;

/** What a point measures; retained, published before its samples. */
export const PointMetaMessage = z.looseObject({
  v: V,
  gateway: TopicSafeId,
  kind: PointKind,
  unit: z.string().min(1).max(16),
  segment: TopicSafeId.nullable().default(null),
  valve: ValveId.nullable().default(null),
  staleAfterMs: z.number().int().positive().nullable().default(null),
  /**
   * Optional lossy compression of the point's history: samples within `deviation` (engineering
   * units) of the last one stored are not stored (docs/data-model.md). Off when absent, and
   * overruled by alarms with a finer deadband.
   */
  compression: z.object({ deviation: z.number().finite().positive() }).nullable().default(null),
});
export type PointMetaMessage = z.infer<typeof PointMetaMessage>;

/** One telemetry sample: the hot path, kept small (about 80 bytes). */
export const TelemetryMessage = z.looseObject({
  v: V,
  ts: Timestamp,
  value: z.number().finite(),
  quality: Quality.exclude(['stale']).default('good'),
});
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;

/** A PipelineGuard alert, raised or cleared; retained while it matters. */
export const AlertMessage = z.looseObject({
  v: V,
  id: z.string().min(1).max(128),
  status: z.enum(['raised', 'cleared']),
  severity: AlarmPriority,
  segment: TopicSafeId.nullable().default(null),
  message: z.string().max(1000),
  ts: Timestamp,
});
export type AlertMessage = z.infer<typeof AlertMessage>;

/** A station's health in its birth: the overall status and each check's, nothing more. */
const HealthLevel = z.enum(['ok', 'degraded', 'down', 'not_configured']);
export const PresenceHealth = z.looseObject({
  status: z.enum(['ok', 'degraded', 'down']),
  checks: z.record(z.string().min(1).max(64), HealthLevel).refine((c) => Object.keys(c).length <= 16, {
    message: 'at most 16 checks',
  }),
});
export type PresenceHealth = z.infer<typeof PresenceHealth>;

/**
 * Presence of a station or gateway: `online` retained at connect, `offline` as its will. A
 * station's birth (and its goodbye at a clean stop) also reports what IT asks of a fleet:
 * every such field is optional, so a gateway's presence and every will stay `{v, status, ts}`.
 */
export const PresenceMessage = z.looseObject({
  v: V,
  status: z.enum(['online', 'offline']),
  ts: Timestamp,
  /** The station's application version (semver). */
  version: z.string().min(1).max(64).optional(),
  /** The station's database schema version (its migration count). */
  schemaVersion: z.number().int().nonnegative().optional(),
  /** The update channel it follows (`latest`, `beta`, ...). */
  channel: z.string().min(1).max(64).optional(),
  /** True while it runs the simulated DEMO / training site. */
  demo: z.boolean().optional(),
  health: PresenceHealth.optional(),
  /** When it last backed up its database; `null`: never. */
  lastBackupAt: Timestamp.nullable().optional(),
});
export type PresenceMessage = z.infer<typeof PresenceMessage>;

/** A station-originated event (alarm and incident changes); the alarm issue defines the bodies. */
export const StationEventMessage = z.looseObject({
  v: V,
  id: z.uuid(),
  type: z.string().min(1).max(64),
  station: TopicSafeId,
  ts: Timestamp,
  body: z.record(z.string(), z.unknown()),
});
export type StationEventMessage = z.infer<typeof StationEventMessage>;

/**
 * The site's alarm definition set, retained (src/shared/limits.ts), with the management-of-change
 * record of its version as the station that made it wrote it.
 */
export const AlarmDefinitionsMessage = z.looseObject({
  v: V,
  set: DefinitionSet,
  changes: z.array(FieldChange).max(100_000),
});
export type AlarmDefinitionsMessage = z.infer<typeof AlarmDefinitionsMessage>;

/**
 * A site-wide operator account as the publishing station holds it, retained, one topic per
 * account (docs/operators.md): a password hash, never a password; no failed attempts or
 * lock-outs, which stay on their station.
 */
export const OperatorRecordMessage = z.looseObject({ v: V, operator: OperatorRecord });

/**
 * A station's audit chain head (src/main/audit/chain.ts), retained: the last row's sequence
 * number and hash, at least once a minute while it changes and at every handover sign-off.
 * Whatever the station's disk later says, the log must still hold this row with this hash.
 */
export const AuditHeadMessage = z.looseObject({
  v: V,
  station: z.string().min(1).max(64),
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string().datetime(),
});
export type AuditHeadMessage = z.infer<typeof AuditHeadMessage>;
export type OperatorRecordMessage = z.infer<typeof OperatorRecordMessage>;

/** A retained snapshot: one alarm's or incident's events, merged by id by whoever receives it. */
const snapshotOf = <E extends z.ZodType>(event: E) =>
  z.looseObject({ v: V, id: z.string().min(1).max(128), events: z.array(event).max(10_000) });

/**
 * The whole journal of one alarm, retained, so a console that joins late (or was restored
 * from a backup) merges what it missed: events are applied by id, once (docs/sync.md).
 */
export const AlarmSnapshotMessage = snapshotOf(
  z.looseObject({
    eventId: z.string().min(1).max(200),
    kind: z.enum(['raise', 'clear', 'ack', 'shelve', 'unshelve', 'resolve']),
    sortKey: z.string().min(1).max(200),
    at: z.string(),
    actor: z.string().max(200),
    station: z.string().max(200),
    body: z.record(z.string(), z.unknown()),
  }),
);
export type AlarmSnapshotMessage = z.infer<typeof AlarmSnapshotMessage>;

/**
 * Every event of one incident (its timeline is its event log), retained, so a console that
 * joins late merges what it missed: each event is applied by id, once (docs/sync.md).
 */
export const IncidentSnapshotMessage = snapshotOf(
  z.looseObject({
    eventId: z.string().min(1).max(200),
    type: z.enum(['incident.create', 'incident.update', 'incident.note']),
    at: Timestamp,
    body: z.record(z.string(), z.unknown()),
  }),
);
export type IncidentSnapshotMessage = z.infer<typeof IncidentSnapshotMessage>;
