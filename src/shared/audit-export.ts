import type { AuditEntry } from './domain/audit';

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

/** RFC 4180 quoting, and a leading quote mark for values a spreadsheet would run as formulas. */
function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(entries: readonly AuditEntry[]): string {
  const lines = [AUDIT_COLUMNS.map((c) => HEADERS[c]).join(',')];
  for (const e of entries) lines.push(AUDIT_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function auditJsonl(entries: readonly AuditEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}
