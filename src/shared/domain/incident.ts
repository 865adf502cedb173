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
