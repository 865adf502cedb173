import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { DATA_FOLDERS, makePrivateDir } from '../config/data-dir';
import type { Logger } from '../log';
import { copyOnThread, writeCopy } from '../store/backups';
import { Catalogue, type CatalogueRow } from './catalogue';
import { DAY_MS, historyFile, parseHistoryFile } from './layout';
import { pastRetention, type RetentionDays } from './retention';

export interface HistoryBackupOptions {
  /** The operational database (the catalogue). */
  db: Database;
  /** The history folder. */
  dir: string;
  /** Where copies go: `<data dir>/backups/history`. */
  target: string;
  /** Copies of files past retention are deleted with them. */
  retention: RetentionDays;
  log: Logger;
}

export interface HistoryBackupOutcome {
  /** Finished files copied (first time, or again after late data reopened them). */
  copied: number;
  /** Open files copied (their state now, replacing the last copy). */
  open: number;
  /** Copies deleted: past retention, or of open files finished and copied since. */
  pruned: number;
  /** Files that could not be copied (logged; tried again at the next backup). */
  failed: number;
}

/** Open files' copies, replaced at each backup. */
const OPEN = 'open';

/** A data folder's history folder and where its copies go (`backups/history`). */
export function historyFolders(dataDir: string): { dir: string; target: string } {
  return {
    dir: path.join(dataDir, DATA_FOLDERS.history),
    target: path.join(dataDir, DATA_FOLDERS.backups, DATA_FOLDERS.history),
  };
}

/**
 * Backups of history (docs/data-model.md, "Backups"), beside the operational database's:
 * - a finished file is copied once (`history_files.backed_up_at`), as a plain file copy off the
 *   event loop: finished, it is folded into one file and no longer written. Late data reopens it
 *   (the catalogue forgets the copy) and it is copied again once finished again. A copy is kept
 *   only if the file was still finished, as it was, once copied.
 * - an open file (today's samples and minutes, the month's hours) is copied whole at each backup
 *   with SQLite's online backup API (a consistent snapshot while the writer thread goes on) into
 *   `open/`, replacing the last copy: a restore brings the open day back as it was at the last
 *   backup, journal included.
 * - copies go by the same retention as the files (a copy of a dropped file is no use).
 */
export class HistoryBackup {
  private readonly catalogue: Catalogue;
  private running: Promise<HistoryBackupOutcome> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly o: HistoryBackupOptions) {
    this.catalogue = new Catalogue(o.db);
  }

  /** One pass (one at a time: a pass asked for while one runs gets that one). */
  run(now = new Date()): Promise<HistoryBackupOutcome> {
    this.running ??= this.pass(now).finally(() => (this.running = null));
    return this.running;
  }

  /** Stops a pass under way at its next step (the station stops; the database closes next). */
  stop(): void {
    this.abort.abort();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async pass(now: Date): Promise<HistoryBackupOutcome> {
    const out: HistoryBackupOutcome = { copied: 0, open: 0, pruned: 0, failed: 0 };
    makePrivateDir(path.join(this.o.target, OPEN));
    for (const row of this.catalogue.all()) {
      if (this.stopped) return out;
      const due = row.state === 'open' || row.backed_up_at === null;
      if (!due || !fs.existsSync(historyFile(this.o.dir, row.kind, row.key))) continue;
      try {
        if (row.state === 'finished') out.copied += (await this.copyFinished(row, now)) ? 1 : 0;
        else out.open += (await this.copyOpen(row)) ? 1 : 0;
      } catch (err) {
        out.failed++;
        this.o.log.warn('copying a history file to the backups failed; will try again', {
          file: `${row.key}.${row.kind}.db`,
          error: err,
        });
      }
    }
    out.pruned = this.prune(now.getTime());
    if (out.copied || out.open || out.pruned || out.failed) this.o.log.info('history backed up', { ...out });
    return out;
  }

  private async copyFinished(row: CatalogueRow, now: Date): Promise<boolean> {
    const source = historyFile(this.o.dir, row.kind, row.key);
    const copy = path.join(this.o.target, path.basename(source));
    const copied = await writeCopy(copy, `${copy}.${process.pid}.partial`, async (partial) => {
      await fs.promises.copyFile(source, partial);
      const still = this.stopped ? undefined : this.catalogue.get(row.kind, row.key);
      // Reopened while it was copied: copied again once finished again.
      return still?.state === 'finished' && still.finished_at === row.finished_at;
    });
    return copied && this.catalogue.backedUpAsFinished(row.kind, row.key, row.finished_at!, now.toISOString());
  }

  private async copyOpen(row: CatalogueRow): Promise<boolean> {
    const source = historyFile(this.o.dir, row.kind, row.key);
    const copy = path.join(this.o.target, OPEN, path.basename(source));
    return writeCopy(copy, `${copy}.${process.pid}.partial`, (partial) =>
      copyOnThread(source, partial, this.abort.signal),
    );
  }

  /** Copies past retention, and copies of open files that are finished and copied as such now. */
  private prune(now: number): number {
    const past = pastRetention(now, this.o.retention);
    let n = 0;
    const rm = (file: string) => {
      fs.rmSync(file, { force: true });
      n++;
    };
    for (const name of fs.readdirSync(this.o.target)) {
      const file = path.join(this.o.target, name);
      const f = parseHistoryFile(name);
      if (f && past(f.kind, f.key)) rm(file);
      // A copy cut short by a crash (one under way elsewhere is younger).
      else if (name.endsWith('.partial') && fs.statSync(file).mtimeMs < now - DAY_MS) rm(file);
    }
    for (const name of fs.readdirSync(path.join(this.o.target, OPEN))) {
      const f = parseHistoryFile(name);
      if (!f) continue;
      const row = this.catalogue.get(f.kind, f.key);
      if (past(f.kind, f.key) || (row?.state === 'finished' && row.backed_up_at !== null))
        rm(path.join(this.o.target, OPEN, name));
    }
    return n;
  }
}
