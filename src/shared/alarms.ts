import { z } from 'zod';
import { Alarm } from './domain/alarm';
import { Incident } from './domain/incident';

export const AlarmAction = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), alarm: Alarm }),
  z.object({ ok: z.literal(false), message: z.string(), retryAfterMs: z.number().int().optional() }),
]);
export type AlarmAction = z.infer<typeof AlarmAction>;

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
});
export type AlarmMetrics = z.infer<typeof AlarmMetrics>;

export const IncidentDetail = z.object({
  incident: Incident,
  timeline: z.array(
    z.object({ id: z.string(), at: z.string(), author: z.string(), kind: z.string(), note: z.string() }),
  ),
  links: z.array(z.object({ kind: z.string(), targetId: z.string() })),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const IncidentAction = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), incident: Incident }),
  z.object({ ok: z.literal(false), message: z.string(), retryAfterMs: z.number().int().optional() }),
]);
export type IncidentAction = z.infer<typeof IncidentAction>;
