import fs from 'node:fs';
import path from 'node:path';
import { DATA_FOLDERS, makePrivateDir, tightenMode } from '../config/data-dir';
import type { Logger } from '../log';
import type { Backups, BackupFile } from './backups';
import { StoreError } from './errors';
import { integrityCheck } from './file-check';

export interface Recovery {
  quarantined: string;
  restoredFrom: BackupFile;
  problem: string;
}

/** Moves the database and its -wal/-shm aside, never deleting them: they are evidence. */
function quarantine(file: string, dataDir: string, now: Date): string {
  const dir = path.join(dataDir, DATA_FOLDERS.quarantine);
  makePrivateDir(dir);
  const base = path.join(dir, `${path.basename(file, '.db')}-${now.toISOString().replace(/[:.]/g, '-')}.db`);
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, base + suffix);
  }
  return base;
}

function firstGoodBackup(backups: Backups, log: Logger): BackupFile | undefined {
  for (const b of backups.list()) {
    try {
      const result = integrityCheck(b.file);
      if (result.length === 1 && result[0] === 'ok') return b;
      log.warn('backup failed its integrity check, trying an older one', { backup: b.file, problems: result });
    } catch (err) {
      log.warn('backup cannot be opened, trying an older one', { backup: b.file, error: err });
    }
  }
  return undefined;
}

/**
 * Replaces an unreadable database with the newest backup that passes integrity_check.
 * Never starts empty over an operator's data: with no good backup it stops and says so.
 */
export function recoverFromBackup(
  file: string,
  dataDir: string,
  backups: Backups,
  problem: string,
  log: Logger,
  now = new Date(),
): Recovery {
  const good = firstGoodBackup(backups, log);
  if (!good) {
    throw new StoreError(
      `The database ${file} is damaged (${problem}) and no backup in ${backups.dir} passes an integrity check. ` +
        'The station will not start empty over it. Restore a backup by hand (see DEPLOYMENT.md) or move the file away to start a new database.',
      'corrupt_no_backup',
    );
  }
  const quarantined = quarantine(file, dataDir, now);
  fs.copyFileSync(good.file, file);
  // copyFile keeps the backup's mode; a backup from an older Plainview may be 0644.
  tightenMode(file);
  log.error('DATABASE RESTORED FROM BACKUP: the database file was damaged and has been replaced', {
    problem,
    quarantined,
    restored_from: good.file,
    backup_taken_at: good.takenAt.toISOString(),
    missing_since: good.takenAt.toISOString(),
  });
  return { quarantined, restoredFrom: good, problem };
}
