import { z } from 'zod';
import { TopicSafeId, Timestamp } from './ids';

export const IncidentSeverity = z.enum(['critical', 'high', 'medium', 'low']);
export const IncidentStatus = z.enum(['open', 'investigating', 'mitigated', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const Incident = z.object({
  id: z.string().min(1).max(128),
  siteId: TopicSafeId,
  title: z.string().min(1).max(200),
  severity: IncidentSeverity,
  status: IncidentStatus,
  description: z.string().max(10_000),
  segment: TopicSafeId.nullable(),
  assignee: z.string().nullable(),
  createdBy: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Incident = z.infer<typeof Incident>;

export const IncidentDetail = z.object({
  incident: Incident,
  timeline: z.array(
    z.object({ id: z.string(), at: z.string(), author: z.string(), kind: z.string(), note: z.string() }),
  ),
  links: z.array(z.object({ kind: z.string(), targetId: z.string() })),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

/** What opening an incident takes, from the console and from the HTTP API alike. */
export const NewIncident = z.object({
  title: z.string().min(1).max(200),
  severity: IncidentSeverity,
  description: z.string().max(10_000).default(''),
  segment: z.string().max(64).nullable().default(null),
  valves: z.array(z.string().min(1).max(128)).max(100).default([]),
  alarms: z.array(z.string().min(1).max(128)).max(100).default([]),
});
export type NewIncident = z.output<typeof NewIncident>;
