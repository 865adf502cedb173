import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_FILES, PRIVATE_FILE_MODE } from '../config/data-dir';
import { StoreError } from './errors';

interface Holder {
  pid: number;
  host: string;
  purpose: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per data folder: a station and a `db migrate` (or two stations) on the same
 * database would each believe they own it. The lock file names its holder; a lock left by a
 * process that no longer runs on this host is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string, purpose: string): DataDirLock {
    const file = path.join(dataDir, DATA_FILES.lock);
    const me: Holder = { pid: process.pid, host: os.hostname(), purpose, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: PRIVATE_FILE_MODE });
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      if (holder && (holder.host !== me.host || alive(holder.pid))) {
        throw new StoreError(
          `The data folder ${dataDir} is in use by ${holder.purpose} (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
            `Only one station or database command may use it at a time. If that process is gone, delete ${file}.`,
          'locked',
          1,
        );
      }
      // Stale or unreadable: its holder is gone. Remove it and try once more.
      fs.rmSync(file, { force: true });
    }
    throw new StoreError(`Could not lock the data folder ${dataDir}: another process keeps taking it`, 'locked', 1);
  }

  release(): void {
    try {
      const holder = readHolder(this.file);
      if (holder?.pid === process.pid) fs.rmSync(this.file, { force: true });
    } catch {
      // Releasing is best effort: a stale lock is taken over at the next start.
    }
  }
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null;
  }
}
