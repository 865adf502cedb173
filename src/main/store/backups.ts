import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { openConnection } from './connection';
import { schemaVersion } from './migrator';

export interface BackupFile {
  file: string;
  /** When the backup was taken (from its name, which the store writes). */
  takenAt: Date;
  schemaVersion: number;
  reason: string;
}

const NAME = /^plainview-(\d{8}T\d{6}\d{3}Z)-v(\d+)-([a-z-]+)\.db$/;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

function parseStamp(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(s)!;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
}

/** The folder of online backups, newest first; names carry time, schema version and reason. */
export class Backups {
  constructor(readonly dir: string) {}

  list(): BackupFile[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .map((name) => ({ name, m: NAME.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
      .map(({ name, m }) => ({
        file: path.join(this.dir, name),
        takenAt: parseStamp(m[1]!),
        schemaVersion: Number(m[2]),
        reason: m[3]!,
      }))
      .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  }

  newest(): BackupFile | undefined {
    return this.list()[0];
  }

  /**
   * An online backup with SQLite's backup API: consistent while the station keeps writing.
   * Written to a temporary name and renamed, so a half-written file is never taken for a backup.
   */
  async take(
    db: Database,
    reason: string,
    target?: string,
    now = new Date(),
    cancelled = () => false,
  ): Promise<string> {
    fs.mkdirSync(target ? path.dirname(target) : this.dir, { recursive: true });
    const file = target ?? path.join(this.dir, `plainview-${stamp(now)}-v${schemaVersion(db)}-${reason}.db`);
    const partial = `${file}.partial`;
    fs.rmSync(partial, { force: true });
    // The copy is read through a connection of its own holding one read transaction from the
    // first page to the last: SQLite restarts a stepped backup whenever another connection
    // (the writer thread) commits between two steps, which under steady ingest meant a
    // backup that never finished. Writers go on meanwhile (WAL); the copy is the database
    // as it was when the backup began.
    const source = db.memory ? db : openConnection(db.name, { fileMustExist: true });
    try {
      if (source !== db) {
        source.exec('BEGIN');
        source.prepare('SELECT count(*) FROM sqlite_master').get();
      }
      await source.backup(partial, {
        // Steps of 4 MiB (about 10 ms each) keep the event loop free while the station goes on
        // working, and few enough that a backup of a busy station does not pin the WAL for long.
        progress: () => {
          if (cancelled()) throw new Error('backup cancelled');
          return 1024;
        },
      });
    } catch (err) {
      fs.rmSync(partial, { force: true });
      throw err;
    } finally {
      if (source !== db) source.close();
    }
    fs.renameSync(partial, file);
    return file;
  }

  /** Keeps the newest `keep` backups. */
  prune(keep: number): string[] {
    const old = this.list().slice(keep);
    for (const b of old) fs.rmSync(b.file, { force: true });
    return old.map((b) => b.file);
  }
}
