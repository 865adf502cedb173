/**
 * The Audit view's pure logic: filters (datetime-local inputs to ISO UTC), and the CSV and
 * JSONL exports built in the console. No DOM.
 */
export interface AuditFilters {
  /** datetime-local values in the console's local time ("2026-11-25T14:02"), or "". */
  since: string;
  until: string;
  actor: string;
  action: string;
}

export const emptyAuditFilters: AuditFilters = { since: '', until: '', actor: '', action: '' };

/** The most the station returns in one call (audit.list's limit). */
export const AUDIT_LIMIT = 5000;

/** Actions the station writes today, offered in the filter even before one is seen. */
export const KNOWN_AUDIT_ACTIONS: readonly string[] = [
  'actuation.select',
  'actuation.operate',
  'actuation.accepted',
  'actuation.completed',
  'actuation.rejected',
  'actuation.failed',
  'actuation.timed_out',
  'actuation.expired',
  'actuation.cancelled',
  'actuation.unknown',
  'operator.sign_on',
  'operator.sign_off',
  'operator.locked_out',
];

/**
 * A datetime-local value ("2026-11-25T14:02" or with seconds), read as the console's local
 * time, as ISO UTC ("2026-11-25T13:02:00.000Z"); null when empty or not a real time.
 */
export function localInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const date = new Date(y!, mo! - 1, d!, h!, mi!, s!, ms!);
  // Reject what the Date constructor would roll over (2026-02-31) rather than guess.
  if (date.getFullYear() !== y || date.getMonth() !== mo! - 1 || date.getDate() !== d) return null;
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export interface AuditQuery {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  limit: number;
  /** The latest entries: on a busy station the view must not stop at the oldest 5,000. */
  newest: boolean;
}

/** The audit.list input for the filters: empty or invalid fields are left out. */
export function auditQuery(filters: AuditFilters, limit = AUDIT_LIMIT): AuditQuery {
  const q: AuditQuery = { limit, newest: true };
  const since = localInputToIso(filters.since);
  const until = localInputToIso(filters.until);
  if (since) q.since = since;
  if (until) q.until = until;
  if (filters.actor.trim()) q.actor = filters.actor.trim().slice(0, 64);
  if (filters.action.trim()) q.action = filters.action.trim().slice(0, 64);
  return q;
}

/** A problem with the filters worth telling the operator, or null. */
export function auditFilterProblem(filters: AuditFilters): string | null {
  if (filters.since && !localInputToIso(filters.since)) return 'The "from" time is not a valid time.';
  if (filters.until && !localInputToIso(filters.until)) return 'The "until" time is not a valid time.';
  const since = localInputToIso(filters.since);
  const until = localInputToIso(filters.until);
  if (since && until && since >= until) return 'The "from" time must be before the "until" time.';
  return null;
}

/** The filter's action choices: the known ones and any others seen, sorted. */
export function auditActionChoices(seen: Iterable<string>): string[] {
  return [...new Set([...KNOWN_AUDIT_ACTIONS, ...seen])].sort();
}

// One CSV/JSONL implementation for the console and `plainview audit export`.
export { auditCsv as auditToCsv, auditJsonl as auditToJsonl } from '../../shared/audit';

/** "plainview-audit-station-1-20261125T140207Z.csv" (UTC, file-name safe). */
export function auditFileName(stationId: string | null | undefined, now: number, ext: 'csv' | 'jsonl'): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  const station = (stationId ?? '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return `plainview-audit-${station ? `${station}-` : ''}${stamp}.${ext}`;
}

/** A one-line summary of an entry's detail for the table ("action=close position=null"). */
export function detailText(detail: Readonly<Record<string, unknown>>): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}
