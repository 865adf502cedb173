import type { CrashReporter, CrashReporterStartOptions } from 'electron';
import type { AuditRecord } from '../audit/auditor';
import type { Logger } from '../log';

/**
 * Local crash reports only: Crashpad writes minidumps of the main, renderer and GPU
 * processes to Electron's `crashDumps` folder (`app.getPath('crashDumps')`), and nothing
 * is ever uploaded. No extra parameters are attached (nothing from the configuration or
 * the keychain can end up in a dump's annotations).
 */
export const CRASH_REPORTER_OPTIONS: CrashReporterStartOptions = {
  productName: 'Plainview',
  companyName: 'Plainview',
  submitURL: '',
  uploadToServer: false,
  ignoreSystemCrashHandler: false,
  compress: true,
};

/** Starts the crash reporter; must run before the app is ready. */
export function startCrashReporter(crashReporter: Pick<CrashReporter, 'start'>): void {
  crashReporter.start(CRASH_REPORTER_OPTIONS);
}

export interface MainErrorDeps {
  log: Logger;
  /** Writes an audit entry, or throws (the station is not running, the audit log is down). */
  audit: (record: AuditRecord) => void;
  now?: () => number;
  /** The same message is audited at most once in this period. */
  periodMs?: number;
}

/**
 * Uncaught exceptions and unhandled rejections in main: every one is logged (with its
 * stack), and each distinct message is audited at most once a minute
 * (`console.uncaught_exception`, `console.unhandled_rejection`, with how many of the same
 * were not audited since), so a failing timer cannot flood the audit log.
 */
export class MainErrorReporter {
  private readonly lastAudited = new Map<string, { at: number; skipped: number }>();

  constructor(private readonly d: MainErrorDeps) {}

  report(kind: 'uncaught_exception' | 'unhandled_rejection', error: unknown): boolean {
    const err = error instanceof Error ? error : null;
    const message = (err ? `${err.name}: ${err.message}` : String(error)).slice(0, 500);
    try {
      this.d.log.error(
        kind === 'uncaught_exception' ? 'uncaught exception in the main process' : 'unhandled promise rejection',
        { error, stack: err?.stack },
      );
    } catch {
      // Logging must never throw out of an error handler.
    }
    const now = (this.d.now ?? Date.now)();
    const period = this.d.periodMs ?? 60_000;
    const key = `${kind}:${message}`;
    const seen = this.lastAudited.get(key);
    if (seen && now - seen.at < period) {
      seen.skipped++;
      return false;
    }
    for (const [k, v] of this.lastAudited) if (now - v.at >= period) this.lastAudited.delete(k);
    if (this.lastAudited.size >= 100) return false;
    this.lastAudited.set(key, { at: now, skipped: 0 });
    try {
      this.d.audit({
        actor: 'system',
        action: `console.${kind}`,
        subject: 'main',
        result: 'error',
        detail: { message, not_audited_since_last: seen?.skipped ?? 0 },
      });
      return true;
    } catch {
      // No station or no audit log: the log line above is the record.
      return false;
    }
  }
}
