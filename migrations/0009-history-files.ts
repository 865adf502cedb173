import type { Migration } from '../src/main/store/migration';

/**
 * Schema v9: samples move out of this database into history files (src/main/history,
 * docs/data-model.md "Two stores"). `history_files` is their catalogue: what each file holds,
 * whether it is finished (immutable) and when it was last copied to the backups folder.
 * `history_meta` keeps the moving of the v8 rows into files (resumable). The old tables stay
 * until every row has moved; trends read them meanwhile.
 *
 * Down drops the catalogue only: `plainview db rollback` first packs the history files back
 * into rows (src/main/cli), or refuses and says what would be lost.
 */
export const m0009: Migration = {
  version: 9,
  name: 'history-files',
  up(db) {
    db.exec(`
      CREATE TABLE history_files (
        kind TEXT NOT NULL CHECK (kind IN ('samples', 'minutes', 'hours')),
        key TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'finished')),
        samples INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        first_ts INTEGER,
        last_ts INTEGER,
        finished_at TEXT,
        backed_up_at TEXT,
        PRIMARY KEY (kind, key)
      ) WITHOUT ROWID;
      CREATE TABLE history_meta (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;`);
  },
  down(db) {
    db.exec('DROP TABLE history_files; DROP TABLE history_meta;');
  },
};
