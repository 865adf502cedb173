import type { Recovery } from '../store/recovery';
import type { Logger } from '../log';
import type { AuditLog } from './audit-log';
import type { ChainBreak } from './chain';

export interface AuditRecord {
  actor: string;
  action: string;
  subject?: string | null;
  result: string;
  correlationId?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** The audit log could not be written: whatever depended on it must not happen. */
export class AuditUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the audit log cannot be written (${(cause as Error).message})`, { cause });
    this.name = 'AuditUnavailable';
  }
}

/** Appends to the audit log for this station; a failure throws AuditUnavailable, never passes silently. */
export class Auditor {
  failures = 0;

  constructor(
    private readonly auditLog: AuditLog,
    private readonly stationId: string,
    private readonly log: Logger,
    /** The request id of the call in progress, for entries that do not name one. */
    private readonly currentRequestId: () => string | null = () => null,
  ) {}

  record(r: AuditRecord): number {
    try {
      return this.auditLog.append({
        actor: r.actor,
        stationId: this.stationId,
        action: r.action,
        subject: r.subject ?? null,
        result: r.result,
        correlationId: r.correlationId ?? null,
        requestId: r.requestId ?? this.currentRequestId(),
        detail: r.detail ?? {},
      });
    } catch (err) {
      this.failures++;
      this.log.error('AUDIT LOG WRITE FAILED', { action: r.action, subject: r.subject, error: err });
      throw new AuditUnavailable(err);
    }
  }
}

/** Rows of the audit log's tail the start-up check walks: the whole log is `plainview audit verify`'s. */
const TAIL_CHECKED = 1000;

/**
 * Checks the tail of the audit chain at start. A break is logged, audited (the new row links
 * to the log as found, so the break stays visible to `plainview audit verify`) and returned.
 */
export function checkAuditTail(audit: AuditLog, auditor: Pick<Auditor, 'record'>, log: Logger): ChainBreak | null {
  const check = audit.verify(Math.max(0, audit.head().seq - TAIL_CHECKED));
  if (check.ok) return null;
  const b = check.broken;
  log.error('AUDIT LOG CHAIN BROKEN: the audit log was changed outside Plainview', { row: b.id, problem: b.problem });
  auditor.record({
    actor: 'system',
    action: 'audit.chain_broken',
    subject: String(b.id),
    result: 'error',
    detail: { ...b },
  });
  return b;
}

/** The database was replaced by a backup at this start: the audit trail says which period may be missing. */
export function auditRestore(auditor: Pick<Auditor, 'record'>, recovery: Recovery): void {
  auditor.record({
    actor: 'system',
    action: 'store.restored',
    subject: recovery.restoredFrom.file,
    result: 'ok',
    detail: {
      problem: recovery.problem,
      quarantined: recovery.quarantined,
      backup_taken_at: recovery.restoredFrom.takenAt.toISOString(),
    },
  });
}
