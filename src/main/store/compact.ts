import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../log';

/**
 * Free pages are given back at start once they are at least this much and at least half the
 * file. An upgrade from schema 8 leaves the database the size its telemetry rows had once they
 * moved into history files (docs/data-model.md, "Moving the v8 rows"), and every backup copies
 * those pages. Measured (a 131 MB file, 5.5 MB of it in use): VACUUM took 133 ms, the file
 * went to 5.6 MB; what VACUUM reads is the pages in use, not the free ones.
 */
export const COMPACT_MIN_FREE_BYTES = 32 * 1024 * 1024;

export interface Compaction {
  beforeBytes: number;
  afterBytes: number;
  ms: number;
}

/** Bytes of the database file that are free pages (SQLite reuses them but never returns them). */
export function freeBytes(db: Database): { file: number; free: number } {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return { file: pages * pageSize, free: free * pageSize };
}

/**
 * Rewrites the database without its free pages (VACUUM), then folds the WAL back so the file
 * on disk shrinks at once. Needs no other connection writing (a station's start, or a `db`
 * command holding the data folder's lock).
 */
export function compact(db: Database): Compaction {
  const started = performance.now();
  const beforeBytes = fs.statSync(db.name).size;
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { beforeBytes, afterBytes: fs.statSync(db.name).size, ms: Math.round(performance.now() - started) };
}

/** At a station's start: compacts a database that is mostly free pages; null when it is not. */
export function compactIfMostlyFree(db: Database, log: Logger): Compaction | null {
  const { file, free } = freeBytes(db);
  if (free < COMPACT_MIN_FREE_BYTES || free * 2 < file) return null;
  try {
    const done = compact(db);
    log.info('database compacted: its free pages returned to the disk', {
      before_bytes: done.beforeBytes,
      after_bytes: done.afterBytes,
      ms: done.ms,
    });
    return done;
  } catch (err) {
    // A full disk (VACUUM needs room for a copy of what is in use): the station runs as it is.
    log.warn('compacting the database failed; it keeps its free pages', { error: err, free_bytes: free });
    return null;
  }
}
