import fs from 'node:fs';
import path from 'node:path';
import { createPrivateFile, DATA_FILES, DATA_FOLDERS } from '../config/data-dir';
import { protectDataDir } from '../config/protect-data-dir';
import type { Logger } from '../log';
import { Backups } from './backups';
import { compactIfMostlyFree } from './compact';
import { openConnection } from './connection';
import { StoreError } from './errors';
import { inspectFile } from './file-check';
import { DataDirLock } from './lock';
import type { Migration } from './migration';
import { assertNotTooNew, checkList, latestVersion, migrate, schemaVersion } from './migrator';
import { recoverFromBackup, type Recovery } from './recovery';
import { Store } from './store';

export const DB_FILE = DATA_FILES.database;
/**
 * Up to this size the station reads the whole file at start (`quick_check`, about 200 ms);
 * a larger one is read table by table without the telemetry tables, its bulk. Measured
 * (bench/startup.ts): the whole check of a 236 MiB store took 3 s of a 3.5 s start, against
 * a 1 s target; every other table of it took 6 ms. Damage in telemetry costs a trend, and is
 * found by `plainview db check`.
 */
export const QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024;
/** Not read at start in a store larger than QUICK_CHECK_MAX_BYTES. */
export const TELEMETRY_TABLES = ['telemetry_samples', 'telemetry_rollups'] as const;

export interface OpenOptions {
  dataDir: string;
  migrations: readonly Migration[];
  log: Logger;
  /**
   * `station`: restore a damaged file from backup and apply pending migrations (start-up).
   * `inspect`: open as it is, for `plainview db` commands that report or act explicitly.
   */
  mode: 'station' | 'inspect';
  /** In inspect mode, whether a missing database may be created (only `db migrate` does). */
  create?: boolean;
  /**
   * Take the data folder's writer lock (always in station mode; for commands that change
   * the schema). Read-only commands (status, backup, check) run beside a station.
   */
  lock?: boolean;
  /** Who holds the lock, as other processes are told (`plainview db migrate`). */
  purpose?: string;
  backupKeep?: number;
}

export function storePaths(dataDir: string) {
  return { file: path.join(dataDir, DB_FILE), backups: new Backups(path.join(dataDir, DATA_FOLDERS.backups)) };
}

/**
 * Opens the local store. A damaged file is quarantined and the newest good backup restored
 * (station mode); a schema newer than this app is refused; pending migrations run in one
 * transaction after an online backup of the database as it was.
 */
export async function openStore(
  options: OpenOptions,
): Promise<{ store: Store; recovery?: Recovery; dataFolderNote: string | null }> {
  const { dataDir, migrations } = options;
  checkList(migrations);
  // Private before anything is written: the database, its backups and the logs hold the audit trail.
  const dataFolderNote = protectDataDir(dataDir, options.log);
  const { file, backups } = storePaths(dataDir);
  const lock =
    options.mode === 'station' || options.lock
      ? DataDirLock.acquire(dataDir, options.purpose ?? 'a Plainview station')
      : null;
  try {
    return { ...(await openLocked(options, file, backups, lock)), dataFolderNote };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function openLocked(
  options: OpenOptions,
  file: string,
  backups: Backups,
  lock: DataDirLock | null,
): Promise<{ store: Store; recovery?: Recovery }> {
  const { dataDir, migrations, log } = options;

  let recovery: Recovery | undefined;
  if (!fs.existsSync(file) && options.mode === 'inspect' && !options.create) {
    throw new StoreError(
      `There is no database at ${file} yet; \`plainview station\` or \`plainview db migrate\` creates it.`,
      'refused',
      1,
    );
  }
  if (fs.existsSync(file)) {
    // The station reads a small file whole before trusting it; the `db` commands only look.
    const problem = inspectFile(
      file,
      options.mode === 'station' ? { quickCheckMaxBytes: QUICK_CHECK_MAX_BYTES, skipWhenLarger: TELEMETRY_TABLES } : {},
    );
    if (problem && options.mode === 'inspect') {
      throw new StoreError(
        `The database ${file} is damaged: ${problem}. Starting the station restores the newest good backup.`,
        'refused',
        1,
      );
    }
    if (problem) recovery = recoverFromBackup(file, dataDir, backups, problem, log);
  }

  // SQLite creates -wal and -shm with the database file's mode: 0600 from the first byte.
  createPrivateFile(file);
  const db = openConnection(file);
  const store = new Store(db, file, backups, migrations, log, lock);
  try {
    assertNotTooNew(db, migrations);
    if (options.mode === 'station') {
      await migrateWithBackup(store, migrations, log, options.backupKeep ?? 10);
      compactIfMostlyFree(db, log);
    }
  } catch (err) {
    await store.close();
    throw err;
  }
  return { store, recovery };
}

async function migrateWithBackup(
  store: Store,
  migrations: readonly Migration[],
  log: Logger,
  keep: number,
): Promise<void> {
  const current = schemaVersion(store.db);
  const latest = latestVersion(migrations);
  if (current === latest) return;
  // A new database has nothing to save; an existing one is copied before its schema changes.
  if (current > 0) await store.backup('pre-migrate', keep);
  const applied = migrate(store.db, migrations);
  log.info('database migrated', { from: current, to: latest, applied: applied.map((m) => `${m.version}-${m.name}`) });
}
