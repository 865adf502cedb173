import type { Logger } from '../log';
import type { Store } from './store';

const HOUR_MS = 3_600_000;
/** Checked at least this often, so a long-running station keeps its backups current. */
const CHECK_MS = 5 * 60_000;

/**
 * Scheduled backups: one at start when the last is older than the interval (so a damaged file
 * can always be restored), then whenever the interval has passed.
 */
export class BackupSchedule {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: Pick<Store, 'lastBackupAt' | 'backup'>,
    private readonly o: {
      intervalHours: number;
      keep: number;
      now: () => Date;
      log: Logger;
      /** Run after each scheduled backup of the database: the history files' (history/backup.ts). */
      after?: () => Promise<unknown>;
    },
  ) {}

  start(): void {
    this.backupIfDue();
    this.timer = setInterval(() => this.backupIfDue(), Math.min(this.o.intervalHours * HOUR_MS, CHECK_MS));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  private backupIfDue(): void {
    const last = this.store.lastBackupAt?.getTime() ?? 0;
    if (this.o.now().getTime() - last < this.o.intervalHours * HOUR_MS) return;
    this.store
      .backup('scheduled', this.o.keep)
      .then(() => (this.stopped ? undefined : this.o.after?.()))
      .catch((err: unknown) => {
        // A backup cancelled by the stop is no failure.
        if (!this.stopped) this.o.log.error('scheduled backup failed', { error: err });
      });
  }
}
