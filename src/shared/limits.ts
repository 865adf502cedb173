import { z } from 'zod';
import { AlarmPriority } from './alarms';
import { TopicSafeId, ValveId, Timestamp } from './ids';

/**
 * The master alarm database (ISA-18.2): alarm definitions on analog points, one site-wide set,
 * versioned, the same on every console. docs/alarms.md documents the format.
 */

/** What a definition watches: limits, rate of change (per minute), deviation from a target, quality. */
export const LimitCondition = z.enum(['hh', 'h', 'l', 'll', 'roc', 'deviation', 'quality']);
export type LimitCondition = z.infer<typeof LimitCondition>;

/** Why the alarm exists and what to do: shown to the operator on the alarm (ISA-18.2 rationalization). */
export const Rationalization = z.object({
  cause: z.string().min(1).max(500),
  consequence: z.string().min(1).max(500),
  action: z.string().min(1).max(1000),
  /** Time the operator has to respond, in minutes. */
  responseMin: z
    .number()
    .positive()
    .max(24 * 60),
});
export type Rationalization = z.infer<typeof Rationalization>;

/**
 * Designed (state-based) suppression: the alarm is suppressed while every valve named is closed,
 * e.g. low flow on a segment whose block valves are closed by command. A suppressed alarm is
 * listed as such, never hidden, and the suppression is audited.
 */
export const Suppression = z.object({
  whenClosed: z.array(ValveId).min(1).max(50),
  note: z.string().max(500).default(''),
});
export type Suppression = z.infer<typeof Suppression>;

/** Point ids in alarm definitions: they become alarm ids, which travel in MQTT topics. */
const PointRef = TopicSafeId.max(100);

export const AlarmDefinition = z
  .strictObject({
    point: PointRef,
    condition: LimitCondition,
    /**
     * The limit: a value for hh/h/l/ll, units per minute for roc, the largest allowed distance
     * from `target` for deviation; none for quality.
     */
    setpoint: z.number().finite().nullable().default(null),
    /** For deviation: the value the point should hold. */
    target: z.number().finite().nullable().default(null),
    priority: AlarmPriority,
    /** A raised alarm clears only this far inside its limit (no chattering at the limit). */
    deadband: z.number().finite().nonnegative().default(0),
    /** The condition must hold this long (field time) before the alarm is raised. */
    onDelaySec: z.number().nonnegative().max(3600).default(0),
    /** The condition must be gone this long before the alarm clears. */
    offDelaySec: z.number().nonnegative().max(3600).default(0),
    rationalization: Rationalization,
    suppression: Suppression.nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .superRefine((d, ctx) => {
    if (d.condition !== 'quality' && d.setpoint === null)
      ctx.addIssue({ code: 'custom', path: ['setpoint'], message: `a ${d.condition} alarm needs a setpoint` });
    if (d.condition === 'deviation' && d.target === null)
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'a deviation alarm needs a target' });
    if (d.condition === 'roc' && d.setpoint !== null && d.setpoint <= 0)
      ctx.addIssue({ code: 'custom', path: ['setpoint'], message: 'a rate of change limit is above 0' });
  });
export type AlarmDefinition = z.output<typeof AlarmDefinition>;
export type AlarmDefinitionInput = z.input<typeof AlarmDefinition>;

/** The definitions as a supervisor or a file gives them: each (point, condition) once. */
export const DefinitionList = z
  .array(AlarmDefinition)
  .max(20_000)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((d, i) => {
      const key = definitionKey(d);
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: [i], message: `${d.point} has two ${d.condition} definitions` });
      seen.add(key);
    });
  });

/** One version of the site's definition set, as stored and as published (retained). */
export const DefinitionSet = z.object({
  /** 0: none yet. Each change makes the next version; no station applies an older one. */
  version: z.number().int().nonnegative(),
  site: TopicSafeId,
  changedAt: Timestamp,
  changedBy: z.string().min(1).max(128),
  /** The station where the change was made (ties between equal versions go to the greater). */
  station: TopicSafeId,
  reason: z.string().max(1000),
  definitions: DefinitionList,
});
export type DefinitionSet = z.output<typeof DefinitionSet>;

/** One field of one definition, before and after (a management-of-change record's line). */
export const FieldChange = z.object({
  point: z.string(),
  condition: LimitCondition,
  change: z.enum(['added', 'removed', 'changed']),
  field: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export type FieldChange = z.infer<typeof FieldChange>;

/** A management-of-change record: who, when, why, and what changed from the version before. */
export const DefinitionChange = z.object({
  version: z.number().int().nonnegative(),
  changedAt: Timestamp,
  changedBy: z.string(),
  station: z.string(),
  reason: z.string(),
  changes: z.array(FieldChange),
});
export type DefinitionChange = z.infer<typeof DefinitionChange>;

/** The id of a limit alarm: the same on every station (point + condition), so they converge. */
export const limitAlarmId = (point: string, condition: LimitCondition): string => `lim-${point}-${condition}`;

export const definitionKey = (d: { point: string; condition: LimitCondition }): string => `${d.point}/${d.condition}`;

/** The changes from one list of definitions to the next, field by field (the MOC record). */
export function definitionChanges(
  before: readonly AlarmDefinition[],
  after: readonly AlarmDefinition[],
): FieldChange[] {
  const old = new Map(before.map((d) => [definitionKey(d), d]));
  const out: FieldChange[] = [];
  for (const d of after) {
    const was = old.get(definitionKey(d));
    old.delete(definitionKey(d));
    const base = { point: d.point, condition: d.condition };
    if (!was) {
      out.push({ ...base, change: 'added', field: null, before: null, after: d });
      continue;
    }
    for (const field of Object.keys(d) as (keyof AlarmDefinition)[]) {
      if (JSON.stringify(was[field]) !== JSON.stringify(d[field]))
        out.push({ ...base, change: 'changed', field, before: was[field], after: d[field] });
    }
  }
  for (const d of old.values())
    out.push({ point: d.point, condition: d.condition, change: 'removed', field: null, before: d, after: null });
  return out;
}
