import fs from 'node:fs';
import { openConnection } from './connection';
import { StoreError } from './errors';

const MAGIC = 'SQLite format 3\0';

export interface InspectOptions {
  /** A file up to this size is also read whole (`quick_check`). */
  quickCheckMaxBytes?: number;
  /**
   * A larger file: every table except these (with its indexes) is read whole instead, so the
   * check costs what the rest of the store weighs, not what its bulk does.
   */
  skipWhenLarger?: readonly string[];
}

/**
 * Cheap checks that a database file is whole, run at every start-up (a full
 * integrity_check is O(size) and belongs to `plainview db check` and to choosing a backup);
 * with `quickCheckMaxBytes`, a file up to that size is also read whole (`quick_check`), and a
 * larger one table by table except `skipWhenLarger`.
 * Returns null when the file looks sound, else why not.
 */
export function inspectFile(file: string, options: InspectOptions = {}): string | null {
  let header: ReturnType<typeof readHeader>;
  try {
    header = readHeader(file);
  } catch (err) {
    throw new StoreError(`Cannot read the database ${file}: ${(err as Error).message}`, 'unavailable', 1);
  }
  if (typeof header === 'string') return header;
  const { pageSize, pages, fileSize } = header;
  // With frames in the WAL, a short file is not damage: a checkpoint writes page 1 (and its
  // page count) first and extends the file as it goes, so a crash in the middle of one leaves
  // the file shorter than its header says while the WAL still holds every page. SQLite reads
  // them from there; the checks below (quick_check) read through it.
  const walBytes = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  if (pages > 0 && fileSize < pages * pageSize && walBytes === 0) {
    return `file is truncated: ${fileSize} bytes on disk, header says ${pages} pages of ${pageSize} bytes`;
  }
  try {
    const db = openConnection(file, { fileMustExist: true });
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      db.pragma('user_version');
      // Damage in a page the lines above never read (a table, an index) would otherwise be
      // found by the first operator or ingest write that touches it. A small database is read
      // whole; a large one table by table without its bulk (QUICK_CHECK_MAX_BYTES in open.ts).
      const quickCheck = (table?: string): string[] => {
        const pragma = table ? `quick_check("${table.replace(/"/g, '""')}")` : 'quick_check(5)';
        return (db.pragma(pragma) as { quick_check: string }[]).map((r) => r.quick_check).slice(0, 5);
      };
      if (fileSize <= (options.quickCheckMaxBytes ?? 0)) {
        const found = quickCheck();
        if (found.join() !== 'ok') return `failed quick_check: ${found.join('; ')}`;
      } else if (options.skipWhenLarger) {
        const skip = new Set(options.skipWhenLarger);
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
        for (const table of tables.filter((t) => !skip.has(t))) {
          const found = quickCheck(table);
          if (found.join() !== 'ok') return `failed quick_check of ${table}: ${found.join('; ')}`;
        }
      }
    } finally {
      db.close();
    }
  } catch (err) {
    // Only damage is a reason to replace the file. A lock held too long, a permission
    // problem or a native module built for another runtime must stop start-up as they are,
    // never quarantine a healthy database.
    if (isDamage(err)) return `cannot be read: ${(err as Error).message}`;
    throw new StoreError(`Cannot open the database ${file}: ${(err as Error).message}`, 'unavailable', 1);
  }
  return null;
}

const DAMAGE_CODES = new Set([
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT_INDEX',
  'SQLITE_CORRUPT_SEQUENCE',
  'SQLITE_CORRUPT_VTAB',
]);

function isDamage(err: unknown): boolean {
  return typeof err === 'object' && err !== null && DAMAGE_CODES.has(String((err as { code?: unknown }).code));
}

function readHeader(file: string): { pageSize: number; pages: number; fileSize: number } | string {
  const fd = fs.openSync(file, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
    if (fileSize < 100) return `file is ${fileSize} bytes, too short to hold a database header`;
    const buf = Buffer.alloc(100);
    fs.readSync(fd, buf, 0, 100, 0);
    if (buf.toString('latin1', 0, 16) !== MAGIC) return 'file is not an SQLite database (bad header)';
    const raw = buf.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    // The in-header page count is only valid when its "valid-for" matches the change counter.
    const valid = buf.readUInt32BE(92) === buf.readUInt32BE(24);
    return { pageSize, pages: valid ? buf.readUInt32BE(28) : 0, fileSize };
  } finally {
    fs.closeSync(fd);
  }
}

/** Full `PRAGMA integrity_check`: ['ok'] or the problems SQLite found (at most 20). */
export function integrityCheck(file: string): string[] {
  const db = openConnection(file, { fileMustExist: true });
  try {
    return (db.pragma('integrity_check(20)') as { integrity_check: string }[]).map((r) => r.integrity_check);
  } finally {
    db.close();
  }
}
