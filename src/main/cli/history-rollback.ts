import fs from 'node:fs';
import path from 'node:path';
import { DATA_FOLDERS, makePrivateDir } from '../config/data-dir';
import { Catalogue } from '../history/catalogue';
import { completeHistory, holdsHistory, hoursWithoutMinutes, packRows } from '../history/pack-rows';
import type { Store } from '../store';
import { CliError } from './run';

/** The schema that moved samples out of the database into history files (migrations/0009). */
export const HISTORY_SCHEMA = 9;
/** `history_meta`: where a rollback under way put the history folder (packed from there if it is run again). */
const ASIDE = 'rolled_back_to';

interface Folders {
  history: string;
  backups: string;
}

function folders(dataDir: string): Folders {
  return {
    history: path.join(dataDir, DATA_FOLDERS.history),
    backups: path.join(dataDir, DATA_FOLDERS.backups, DATA_FOLDERS.history),
  };
}

/** Days as ranges: `2026-01-01 to 2026-01-09, 2026-02-03`. */
function ranges(days: string[]): string {
  const out: string[] = [];
  let start = days[0]!;
  let prev = start;
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
  for (const d of [...days.slice(1), '']) {
    if (d && day(d) - day(prev) === 86_400_000) {
      prev = d;
      continue;
    }
    out.push(start === prev ? start : `${start} to ${prev}`);
    start = prev = d;
  }
  return out.join(', ');
}

/**
 * Before a rollback below schema 9 (checked before its backup): refuses, naming them, when
 * hour rollups would be lost, unless `acceptLoss`.
 */
export function checkHistoryRollback(store: Store, dataDir: string, acceptLoss: boolean): void {
  if (!Catalogue.present(store.db) || new Catalogue(store.db).meta(ASIDE) != null) return;
  const lost = hoursWithoutMinutes(folders(dataDir).history);
  if (!lost.length || acceptLoss) return;
  throw new CliError(
    `rolling back below schema version ${HISTORY_SCHEMA} would lose the hour rollups of ${ranges(lost)} ` +
      `(${lost.length} day${lost.length === 1 ? '' : 's'}): their minute rollups are gone (past retention) and ` +
      `schema ${HISTORY_SCHEMA - 1} keeps minute rollups only. Nothing was changed. Run it again with ` +
      '--accept-loss to roll back without them.',
  );
}

/**
 * History back into rows before the migrations' downs run: the v8 rows left moved in and every
 * file finished, the folder (and its backup copies) put aside (so a later `db migrate` starts
 * over from the rows and moves nothing twice), then packed from there in one transaction. Run
 * again after a crash part-way, it packs from where the folder was put (packing twice changes
 * nothing). Returns what to tell the person, or null when there was no history.
 */
export function packHistoryForRollback(store: Store, dataDir: string, now: Date): string | null {
  if (!Catalogue.present(store.db)) return null;
  const catalogue = new Catalogue(store.db);
  let aside = catalogue.meta(ASIDE) as string | null;
  if (aside == null || !fs.existsSync(aside)) {
    const f = folders(dataDir);
    if (!holdsHistory(f.history) && !fs.existsSync(f.backups)) return null;
    if (holdsHistory(f.history)) completeHistory(store.db, f.history, now.getTime());
    aside = path.join(dataDir, `history-rolled-back-${now.toISOString().replace(/[-:.]/g, '')}`);
    catalogue.setMeta(ASIDE, aside);
    makePrivateDir(aside);
    if (fs.existsSync(f.history)) fs.renameSync(f.history, path.join(aside, 'history'));
    if (fs.existsSync(f.backups)) fs.renameSync(f.backups, path.join(aside, 'backups-history'));
  }
  const packed = packRows(store.db, path.join(aside, 'history'));
  return (
    `packed ${packed.samples} samples and ${packed.rollups} minute rollups from the history files back into rows; ` +
    `the history files are kept in ${aside} (remove it once the rollback is good)`
  );
}
