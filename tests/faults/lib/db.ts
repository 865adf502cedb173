import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface Snapshot {
  db: Database.Database;
  /** `PRAGMA integrity_check` said `ok`. */
  integrity: boolean;
  problems: string[];
  close(): void;
}

/**
 * The database of a data folder as the next start would find it, opened on a copy (the file,
 * its WAL and shared memory), so that checking it (which replays the WAL) changes nothing the
 * station's own next start must cope with.
 */
export function snapshot(dataDir: string): Snapshot {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-fault-copy-'));
  const file = path.join(dataDir, 'plainview.db');
  for (const suffix of ['', '-wal', '-shm'])
    if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, path.join(dir, `plainview.db${suffix}`));
  const db = new Database(path.join(dir, 'plainview.db'));
  const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  return {
    db,
    integrity: problems.length === 1 && problems[0] === 'ok',
    problems,
    close: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a database file itself and runs `PRAGMA integrity_check`. */
export function integrityOf(file: string): string[] {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  } catch (err) {
    return [(err as Error).message];
  } finally {
    db?.close();
  }
}
