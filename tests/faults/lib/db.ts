import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface Snapshot {
  db: Database.Database;
  /** The copy's data folder (its history files copied too). */
  dir: string;
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
  const history = path.join(dataDir, 'history');
  if (fs.existsSync(history)) fs.cpSync(history, path.join(dir, 'history'), { recursive: true });
  const db = new Database(path.join(dir, 'plainview.db'));
  const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  // Every history file too (opened on the copy: its WAL replayed there).
  const copies = fs.existsSync(path.join(dir, 'history')) ? fs.readdirSync(path.join(dir, 'history')) : [];
  for (const name of copies.filter((n) => n.endsWith('.db'))) {
    const h = new Database(path.join(dir, 'history', name), { fileMustExist: true });
    try {
      for (const r of h.pragma('integrity_check') as { integrity_check: string }[])
        if (r.integrity_check !== 'ok') problems.push(`history/${name}: ${r.integrity_check}`);
    } finally {
      h.close();
    }
  }
  return {
    db,
    dir,
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
