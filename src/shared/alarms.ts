import { z } from 'zod';
import { TopicSafeId, ValveId, Timestamp } from './ids';

export const AlarmPriority = z.enum(['critical', 'high', 'medium', 'low', 'diagnostic']);
export type AlarmPriority = z.infer<typeof AlarmPriority>;

/** ISA-18.2 alarm states; shelving is kept beside the state, not as a state of its own. */
export const AlarmState = z.enum(['active_unacked', 'active_acked', 'cleared_unacked', 'normal']);
export type AlarmState = z.infer<typeof AlarmState>;

export const Alarm = z.object({
  id: z.string().min(1).max(128),
  siteId: TopicSafeId,
  source: z.string().min(1).max(64),
  priority: AlarmPriority,
  state: AlarmState,
  segment: TopicSafeId.nullable(),
  valveId: ValveId.nullable(),
  message: z.string().max(1000),
  raisedAt: Timestamp,
  clearedAt: Timestamp.nullable(),
  ackedAt: Timestamp.nullable(),
  ackedBy: z.string().nullable(),
  shelvedUntil: Timestamp.nullable(),
  shelvedBy: z.string().nullable(),
  /** Why it was shelved (the shelved list shows it with the time left). */
  shelveReason: z.string().nullable().optional(),
  resolvedAt: Timestamp.nullable(),
  /** A limit alarm (docs/alarms.md): its point and condition, the limit, the value that raised it. */
  limit: z
    .object({
      point: z.string(),
      condition: z.enum(['hh', 'h', 'l', 'll', 'roc', 'deviation', 'quality']),
      setpoint: z.number().nullable(),
      value: z.number().nullable(),
    })
    .nullable()
    .optional(),
  /** Suppressed by design (its condition holds while the process is in a state that expects it): listed, not annunciated. */
  suppressed: z.boolean().optional(),
});
export type Alarm = z.infer<typeof Alarm>;

export const JournalEntry = z.object({
  kind: z.enum(['raise', 'clear', 'ack', 'shelve', 'unshelve', 'resolve']),
  at: z.string(),
  actor: z.string(),
  note: z.string().nullable(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** Alarm-system performance (API RP 1167 / ISA-18.2) for the Alarms view and the API. */
export const AlarmMetrics = z.object({
  lastTenMinutes: z.number().int(),
  flood: z.boolean(),
  standing: z.array(z.string()),
  shelved: z.array(z.string()),
  chattering: z.array(z.string()),
  /** The last day against EEMUA 191 (its targets: `EEMUA_TARGETS`). */
  eemua: z.object({
    hours: z.number(),
    averagePer10Min: z.number(),
    peakPer10Min: z.number().int(),
    floodPercent: z.number(),
  }),
});

/**
 * EEMUA 191's benchmarks for an operator's alarm load: about one alarm per 10 minutes on
 * average in steady operation, at most 10 in the peak 10 minutes, under 1 % of the time in
 * flood, and fewer than 10 standing alarms.
 */
export const EEMUA_TARGETS = { averagePer10Min: 1, peakPer10Min: 10, floodPercent: 1, standing: 10 } as const;
export type AlarmMetrics = z.infer<typeof AlarmMetrics>;
