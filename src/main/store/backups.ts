import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { createPrivateFile, makePrivateDir, tightenMode } from '../config/data-dir';
import { startThread } from '../threads';
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
   * A file database is copied on a thread of its own (src/main/store/backup-thread.ts): the
   * copy holds the WAL for as short a time as the disk allows, and the event loop that serves
   * operators never waits for it.
   */
  async take(db: Database, reason: string, target?: string, now = new Date(), signal?: AbortSignal): Promise<string> {
    makePrivateDir(target ? path.dirname(target) : this.dir);
    const file = target ?? path.join(this.dir, `plainview-${stamp(now)}-v${schemaVersion(db)}-${reason}.db`);
    await writeCopy(file, `${file}.partial`, async (partial) => {
      if (db.memory) await db.backup(partial);
      else await copyOnThread(db.name, partial, signal);
    });
    return file;
  }

  /** Keeps the newest `keep` backups. */
  prune(keep: number): string[] {
    const old = this.list().slice(keep);
    for (const b of old) fs.rmSync(b.file, { force: true });
    return old.map((b) => b.file);
  }
}

/**
 * Writes a copy into `partial` and renames it to `file`, so a half-written file is never taken
 * for a copy. `partial` is as private as the database from its first byte (SQLite keeps the
 * mode of the empty file it is given; the backup thread cannot set a umask of its own) and is
 * removed if `write` throws or answers false (the copy is not wanted after all). True if renamed.
 */
export async function writeCopy(
  file: string,
  partial: string,
  write: (partial: string) => Promise<boolean | void>,
): Promise<boolean> {
  fs.rmSync(partial, { force: true });
  createPrivateFile(partial);
  let wanted: boolean | void;
  try {
    wanted = await write(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  if (wanted === false) {
    fs.rmSync(partial, { force: true });
    return false;
  }
  tightenMode(partial);
  fs.renameSync(partial, file);
  return true;
}

/** An online copy of a database file into `partial`, on a thread of its own (also of an open history file). */
export function copyOnThread(source: string, partial: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('backup cancelled'));
    const worker = startThread(path.join(__dirname, 'backup-thread'), { source, partial });
    let settled = false;
    let aborted = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    // Settled once the thread has stopped, so the caller's clean-up of the partial file comes
    // after its last write.
    const onAbort = () => {
      aborted = true;
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort);
    worker.on('message', (r: { ok: boolean; message?: string }) => settle(r.ok ? undefined : new Error(r.message)));
    worker.on('error', (err) => settle(err));
    worker.on('exit', (code) =>
      settle(new Error(aborted ? 'backup cancelled' : `the backup thread stopped (exit code ${code})`)),
    );
  });
}
