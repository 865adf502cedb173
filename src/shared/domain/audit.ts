import { z } from 'zod';
import { Timestamp } from './ids';

/** One line of the append-only audit log: who did what, when, and with what result. */
export const AuditEntry = z.object({
  id: z.number().int().positive(),
  at: Timestamp,
  actor: z.string().min(1),
  stationId: z.string().min(1),
  action: z.string().min(1).max(64),
  subject: z.string().nullable(),
  result: z.string().min(1).max(64),
  correlationId: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const NewAuditEntry = AuditEntry.omit({ id: true, at: true });
export type NewAuditEntry = z.infer<typeof NewAuditEntry>;
