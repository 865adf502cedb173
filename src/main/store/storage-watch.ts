import type { Database } from 'better-sqlite3';
import type { HealthCheck } from '../../shared/health';
import type { Logger } from '../log';

/** What operators and IT are told while the database refuses writes. */
export interface StorageFailure {
  since: string;
  /** SQLite's own words: "database or disk is full", "disk I/O error", ... */
  reason: string;
}

/**
 * SQLite errors that mean the database cannot be written now (the disk full, the file-size
 * limit reached, an I/O error, the file made read-only), as opposed to a bug in a statement.
 */
export function isStorageWriteError(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (/^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code)) return true;
  // The writer thread's errors cross the thread boundary as a message only.
  const message = String((err as { message?: unknown } | null)?.message ?? '');
  return /^(database or disk is full|disk I\/O error|attempt to write a readonly database)/.test(message);
}

/**
 * The database refused a write (a full disk): itself, or under the error of what needed the
 * write (the audit log's AuditUnavailable carries it as its cause).
 */
export function isRefusedWrite(err: unknown): boolean {
  return isStorageWriteError(err) || isStorageWriteError((err as { cause?: unknown } | null)?.cause);
}

/** The sentence an operator reads when a change cannot be stored. */
export function storageRefusalMessage(err: unknown): string {
  return (
    `The station cannot write to its database (${(err as Error).message}): nothing was changed. ` +
    'The disk may be full; the change can be made again once the station says its database takes writes.'
  );
}

const TICK_MS = 1000;

/**
 * Knows whether the database takes writes. It learns of failures from the field writer's
 * error count and from operators' changes that failed; while failing it probes with a
 * one-page write each second, and reports recovery once the probe succeeds and the writer
 * has stopped failing. Nothing here buffers data: the writer keeps its batch and
 * acknowledges nothing to the broker, and operators' changes are refused (fail closed).
 */
export class StorageWatch {
  private current: StorageFailure | null = null;
  private seenErrors = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: {
      db: Database;
      /** Failed commits of the field writer so far (IngestCounters.writeErrors). */
      writeErrors: () => number;
      now: () => Date;
      log: Logger;
      onChange: (failure: StorageFailure | null) => void;
    },
  ) {
    this.seenErrors = o.writeErrors();
  }

  get failure(): StorageFailure | null {
    return this.current;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A write that failed elsewhere (an operator's change): starts the failing state at once. */
  failed(err: unknown): void {
    if (isStorageWriteError(err)) this.enter((err as Error).message);
  }

  /** Exposed for tests: one check, as the timer does each second. */
  tick(): void {
    const errors = this.o.writeErrors();
    const writerFailing = errors > this.seenErrors;
    this.seenErrors = errors;
    if (!writerFailing && !this.current) return;
    const probe = this.probe();
    if (writerFailing) return this.enter(probe ?? 'the field writer cannot commit (see the log)');
    if (probe === null) return this.leave();
    this.current!.reason = probe;
  }

  /** The health check's verdict while failing (null when writes work). */
  check(): HealthCheck | null {
    if (!this.current) return null;
    return {
      status: 'down',
      reason:
        `the database refuses writes since ${this.current.since} (${this.current.reason}): new field data waits ` +
        "at the broker, operators' changes are refused",
    };
  }

  /** A write of one page (the header's user_version, set to what it is), or the error it got. */
  private probe(): string | null {
    try {
      const v = this.o.db.pragma('user_version', { simple: true }) as number;
      this.o.db.pragma(`user_version = ${v}`);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private enter(reason: string): void {
    if (this.current) {
      this.current.reason = reason;
      return;
    }
    this.current = { since: this.o.now().toISOString(), reason };
    this.o.log.error('the database refuses writes: field data is not acknowledged, operators’ changes are refused', {
      reason,
    });
    this.o.onChange(this.current);
  }

  private leave(): void {
    const was = this.current;
    this.current = null;
    this.o.log.info('the database takes writes again', { since: was?.since });
    this.o.onChange(null);
  }
}
