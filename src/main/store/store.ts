import fs from 'node:fs';
import type { Database, Statement } from 'better-sqlite3';
import type { HealthCheck } from '../../shared/health';
import type { Logger } from '../log';
import type { Backups } from './backups';
import type { DataDirLock } from './lock';
import type { Migration } from './migration';
import { latestVersion, schemaVersion } from './migrator';
import { Sql } from './sql';

/** The open local store: one writer connection, its backups and what it knows of its schema. */
export class Store {
  readonly sql: Sql;
  private backupRun: { promise: Promise<string>; cancel: () => void } | null = null;
  private lastBackup: { file: string; at: Date } | null;
  /** The health check's trivial read, prepared once: /health may be polled many times a second. */
  private readonly ping: Statement;

  constructor(
    readonly db: Database,
    readonly file: string,
    readonly backups: Backups,
    private readonly migrations: readonly Migration[],
    private readonly log: Logger,
    private readonly lock: DataDirLock | null = null,
  ) {
    this.sql = new Sql(db);
    this.ping = db.prepare('SELECT 1');
    const newest = backups.newest();
    this.lastBackup = newest ? { file: newest.file, at: newest.takenAt } : null;
  }

  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  get latestVersion(): number {
    return latestVersion(this.migrations);
  }

  get lastBackupAt(): Date | null {
    return this.lastBackup?.at ?? null;
  }

  /** Database plus write-ahead log, in bytes. */
  sizeBytes(): number {
    const size = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0;
    return size(this.file) + size(`${this.file}-wal`);
  }

  /**
   * An online backup into the backups folder (or `target`), then the oldest beyond `keep`
   * are deleted. Only one runs at a time; `close()` cancels a running one.
   */
  backup(reason: string, keep: number, target?: string): Promise<string> {
    if (this.backupRun) return this.backupRun.promise;
    const abort = new AbortController();
    const started = new Date();
    const promise = this.backups
      .take(this.db, reason, target, started, abort.signal)
      .then((file) => {
        if (!target) this.backups.prune(keep);
        this.lastBackup = { file, at: started };
        this.log.info('database backed up', { file, reason, duration_ms: Date.now() - started.getTime() });
        return file;
      })
      .finally(() => {
        this.backupRun = null;
      });
    this.backupRun = { promise, cancel: () => abort.abort() };
    return promise;
  }

  /** The database check of health: a trivial read, and how big and how backed-up the store is. */
  check(): HealthCheck {
    this.ping.get();
    return {
      status: 'ok',
      details: {
        schema_version: this.schemaVersion,
        size_bytes: this.sizeBytes(),
        last_backup_at: this.lastBackupAt?.toISOString() ?? null,
      },
    };
  }

  /** Stops a running backup, folds the WAL into the database file and closes. */
  async close(): Promise<void> {
    if (this.backupRun) {
      this.backupRun.cancel();
      await this.backupRun.promise.catch(() => undefined);
    }
    if (this.db.open) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        this.log.warn('WAL checkpoint at close failed; SQLite will replay it at next start', { error: err });
      }
      this.db.close();
    }
    this.lock?.release();
  }
}
