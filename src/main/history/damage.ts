import fs from 'node:fs';
import path from 'node:path';
import { DATA_FOLDERS, makePrivateDir } from '../config/data-dir';

/** A history file SQLite cannot read as a database: moved aside, and history goes on without it. */
export interface Damage {
  file: string;
  problem: string;
  /** Where it is kept (evidence, and what a restore from the backup copy replaces). */
  movedTo: string;
}

/** Whether an error says the file is damaged (not a full disk, not a lock). */
export function isDamage(err: unknown): boolean {
  const code = String((err as { code?: unknown }).code ?? '');
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

/** Moves a damaged history file and its -wal/-shm to the data folder's quarantine, never deleting them. */
export function quarantineHistoryFile(historyDir: string, file: string, err: unknown, now = new Date()): Damage {
  const dir = path.join(path.dirname(historyDir), DATA_FOLDERS.quarantine, 'history');
  makePrivateDir(dir);
  const base = path.join(dir, `${path.basename(file, '.db')}-${now.toISOString().replace(/[:.]/g, '-')}.db`);
  for (const suffix of ['', '-wal', '-shm'])
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, base + suffix);
  return { file: path.basename(file), problem: (err as Error).message, movedTo: base };
}
