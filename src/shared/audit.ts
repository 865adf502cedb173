import { z } from 'zod';
import { Timestamp } from './ids';
import { csvText } from './csv';

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

/*
 * The audit log as CSV and JSON lines, one implementation for `plainview audit export` and
 * the console's Export buttons.
 */

export const AUDIT_COLUMNS = [
  'id',
  'at',
  'actor',
  'stationId',
  'action',
  'subject',
  'result',
  'correlationId',
  'requestId',
  'detail',
] as const;

/** CSV headers: the store's column names, as investigators' tools expect. */
const HEADERS: Record<(typeof AUDIT_COLUMNS)[number], string> = {
  id: 'id',
  at: 'at',
  actor: 'actor',
  stationId: 'station_id',
  action: 'action',
  subject: 'subject',
  result: 'result',
  correlationId: 'correlation_id',
  requestId: 'request_id',
  detail: 'detail',
};

export function auditCsv(entries: readonly AuditEntry[]): string {
  return csvText([AUDIT_COLUMNS.map((c) => HEADERS[c]), ...entries.map((e) => AUDIT_COLUMNS.map((c) => e[c]))]);
}

export function auditJsonl(entries: readonly AuditEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}
