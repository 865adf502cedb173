import { z } from 'zod';
import { Alarm } from './domain/alarm';
import { Incident, IncidentSeverity } from './domain/incident';
import { ActuationCommand } from './domain/actuation';

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

/** A shift handover report (its content is what the shift hands over). */
/** What opening an incident takes, from the console and from the HTTP API alike. */
export const NewIncident = z.object({
  title: z.string().min(1).max(200),
  severity: IncidentSeverity,
  description: z.string().max(10_000).default(''),
  segment: z.string().max(64).nullable().default(null),
  valves: z.array(z.string().min(1).max(128)).max(100).default([]),
  alarms: z.array(z.string().min(1).max(128)).max(100).default([]),
});

export const HandoverReport = z.object({
  id: z.string(),
  site: z.string(),
  station: z.string(),
  outgoing: z.string(),
  incoming: z.string().nullable(),
  notes: z.string(),
  signedOffAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  shiftStart: z.string(),
  shiftEnd: z.string(),
  createdAt: z.string(),
  content: z.object({
    shiftStart: z.string(),
    shiftEnd: z.string(),
    standingAlarms: z.array(Alarm),
    shelvedAlarms: z.array(Alarm),
    openIncidents: z.array(Incident),
    commands: z.array(ActuationCommand),
    dataQuality: z.object({ link: z.string(), staleValves: z.array(z.string()), badValves: z.array(z.string()) }),
  }),
});
export type HandoverReport = z.infer<typeof HandoverReport>;

export const HandoverAction = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), report: HandoverReport }),
  z.object({ ok: z.literal(false), message: z.string(), retryAfterMs: z.number().int().optional() }),
]);
