import fs from 'node:fs';
import Database from 'better-sqlite3';
import { createPrivateFile } from '../config/data-dir';
import { historyFile, type HistoryKind } from './layout';
import { createSchema, preparePoints } from './sql';

/**
 * One history file, open for writing (by the history writer, one per file) or reading. Its
 * point dictionary is cached: names become small integers once per file.
 */
export class HistoryFile {
  readonly db: Database.Database;
  private readonly ids = new Map<string, number>();
  private readonly points: ReturnType<typeof preparePoints>;

  private constructor(
    readonly kind: HistoryKind,
    readonly key: string,
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
    this.points = preparePoints(db);
  }

  /** Opens (creating if absent) a file to write: WAL, its tables. */
  static forWriting(dir: string, kind: HistoryKind, key: string): HistoryFile {
    const file = historyFile(dir, kind, key);
    // Private from its first byte (the data folder's other files are too).
    createPrivateFile(file);
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 5000');
      // A block of random doubles is about 2.6 KB: 4 KiB pages would leave a third of each empty
      // (measured by bench/disk.ts: 15.1 bytes a sample with 4 KiB pages, 11.1 with 8 KiB).
      // Set before the first table; an existing file keeps its own.
      if (kind === 'samples') db.pragma('page_size = 8192');
      db.pragma('journal_mode = WAL');
      // Samples are acknowledged to the broker once committed here: a commit survives a power
      // cut. Rollups are derived, caught up from the blocks if a commit is lost.
      db.pragma(`synchronous = ${kind === 'samples' ? 'FULL' : 'NORMAL'}`);
      createSchema(db, kind);
    } catch (err) {
      db.close();
      throw err;
    }
    return new HistoryFile(kind, key, file, db);
  }

  /**
   * Opens an existing file to read; null when there is none. Not SQLite's read-only mode: that
   * cannot open a WAL file whose writer has gone (no -shm); this connection only reads.
   */
  static forReading(dir: string, kind: HistoryKind, key: string): HistoryFile | null {
    const file = historyFile(dir, kind, key);
    if (!fs.existsSync(file)) return null;
    const db = new Database(file, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return new HistoryFile(kind, key, file, db);
    } catch (err) {
      db.close();
      // Just created, its tables not yet committed by the writer: nothing to read yet.
      if (/no such table/.test((err as Error).message)) return null;
      throw err;
    }
  }

  /** The point's number in this file; created on first use when writing. */
  pointId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = (this.points.byName.get(name) as number | undefined) ?? Number(this.points.insert.run(name).lastInsertRowid);
      this.ids.set(name, id);
    }
    return id;
  }

  /** The point's number, or undefined when the file has none of it (reading). */
  findPoint(name: string): number | undefined {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.points.byName.get(name) as number | undefined;
      if (id !== undefined) this.ids.set(name, id);
    }
    return id;
  }

  /** Names by number, for reading what the file holds (the journal at start). */
  names(): Map<number, string> {
    return new Map((this.points.all.all() as { id: number; name: string }[]).map((r) => [r.id, r.name]));
  }

  /** Forgets ids cached in a transaction that did not commit. */
  forgetCachedIds(): void {
    this.ids.clear();
  }

  /**
   * Folds the WAL into the file and closes it: the file alone is the whole of it, copied as it
   * is by backups. It stays in WAL mode (leaving it needs every reader gone, the console's too).
   */
  finish(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.close();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
