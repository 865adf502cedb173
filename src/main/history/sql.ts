import type { Database, Statement } from 'better-sqlite3';
import type { HistoryKind } from './layout';

/*
 * The history files' SQL, in one place (docs/data-model.md, "History files"). Every file has a
 * dictionary of its points (a block or rollup names its point by a small integer) and a
 * key-value `meta`.
 *
 * samples: `blocks`, a point's samples packed (telemetry/codec.ts), never crossing a block
 *   window; `journal`, each commit's samples not yet in a block (the open blocks' write-ahead
 *   record: what makes an acknowledged sample durable before its block is full), deleted once
 *   their blocks are written.
 * minutes / hours: `rollups` per point and bucket (sum, not mean, so late data merges exactly),
 *   and how far they have rolled the blocks of each day (`rolled`): a rollup and its mark
 *   commit together, so a crash between a block and its rollups is caught up at the next start.
 *
 * Rows of schema v8 moved in (move-rows.ts): blocks listed in `moved` are never rolled up (the
 * v8 rollups of their minutes move as they were); a rollup file's `meta` row `moved_through`
 * is the last v8 rollup row merged into it, committed with it.
 */

export const HISTORY_FORMAT = 1;

const COMMON = `
  CREATE TABLE IF NOT EXISTS points (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;`;

const SCHEMA: Record<HistoryKind, string> = {
  samples: `${COMMON}
    CREATE TABLE IF NOT EXISTS blocks (seq INTEGER PRIMARY KEY, point INTEGER NOT NULL, t0 INTEGER NOT NULL,
      t1 INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS blocks_by_point ON blocks (point, t0);
    CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS moved (seq INTEGER PRIMARY KEY);`,
  minutes: `${COMMON}
    CREATE TABLE IF NOT EXISTS rollups (point INTEGER NOT NULL, bucket INTEGER NOT NULL, min REAL NOT NULL,
      max REAL NOT NULL, sum REAL NOT NULL, last REAL NOT NULL, last_ts INTEGER NOT NULL, count INTEGER NOT NULL,
      PRIMARY KEY (point, bucket)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS rolled (day TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;`,
  hours: '',
};
SCHEMA.hours = SCHEMA.minutes;

/** Creates a history file's tables (idempotent) and stamps its format. */
export function createSchema(db: Database, kind: HistoryKind): void {
  db.exec(SCHEMA[kind]);
  db.prepare("INSERT INTO meta (key, value) VALUES ('format', ?) ON CONFLICT(key) DO NOTHING").run(HISTORY_FORMAT);
  db.prepare("INSERT INTO meta (key, value) VALUES ('kind', ?) ON CONFLICT(key) DO NOTHING").run(kind);
}

export function preparePoints(db: Database) {
  return {
    all: db.prepare('SELECT id, name FROM points'),
    insert: db.prepare('INSERT INTO points (name) VALUES (?)'),
    byName: db.prepare('SELECT id FROM points WHERE name = ?').pluck(),
  };
}

/** What the history writer writes to a samples file. */
export function prepareSamplesWrite(db: Database) {
  return {
    block: db.prepare('INSERT INTO blocks (point, t0, t1, n, data) VALUES (?, ?, ?, ?, ?)'),
    journal: db.prepare('INSERT INTO journal (data) VALUES (?)'),
    /** Journal records every sample of which is in a block by now. */
    trimJournal: db.prepare('DELETE FROM journal WHERE seq < ?'),
    allJournal: db.prepare('SELECT seq, data FROM journal ORDER BY seq'),
    /** The blocks of one point in one window (duplicates of late samples are looked for there). */
    windowBlocks: db.prepare('SELECT t0, t1, data FROM blocks WHERE point = ? AND t0 >= ? AND t0 < ?'),
    /** Blocks to roll up: not the ones moved from v8 rows (their rollups moved with them). */
    blocksAfter: db.prepare(
      'SELECT seq, point, data FROM blocks WHERE seq > ? AND seq NOT IN (SELECT seq FROM moved) ORDER BY seq',
    ),
    count: db.prepare('SELECT coalesce(sum(n), 0) AS samples, min(t0) AS first, max(t1) AS last FROM blocks'),
  };
}

export type SamplesWrite = ReturnType<typeof prepareSamplesWrite>;

const MERGE_ROLLUP = `INSERT INTO rollups (point, bucket, min, max, sum, last, last_ts, count)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(point, bucket) DO UPDATE SET min = min(min, excluded.min), max = max(max, excluded.max),
    sum = sum + excluded.sum,
    last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
    last_ts = max(last_ts, excluded.last_ts), count = count + excluded.count`;

export function prepareRollupsWrite(db: Database) {
  return {
    merge: db.prepare(MERGE_ROLLUP),
    rolled: db.prepare('SELECT seq FROM rolled WHERE day = ?').pluck(),
    mark: db.prepare('INSERT INTO rolled (day, seq) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET seq = excluded.seq'),
  };
}

export type RollupsWrite = ReturnType<typeof prepareRollupsWrite>;

/** The `meta` key of the last v8 rollup row (point, bucket) merged into a minutes or hours file. */
export const MOVED_THROUGH = 'moved_through';

/**
 * What trends read: a point's blocks overlapping a span, a point's rollups in a span, and how
 * far v8 rollup rows have moved into the file.
 */
export function prepareReads(
  db: Database,
  kind: HistoryKind,
): { point: Statement; rows: Statement; movedThrough: Statement } {
  return {
    point: db.prepare('SELECT id FROM points WHERE name = ?').pluck(),
    movedThrough: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    rows:
      kind === 'samples'
        ? db.prepare('SELECT data FROM blocks WHERE point = ? AND t0 >= ? AND t0 <= ? AND t1 >= ? ORDER BY t0').pluck()
        : db
            .prepare(
              'SELECT bucket, sum, count, min, max FROM rollups WHERE point = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket',
            )
            .raw(),
  };
}

/** What the move of v8 rows writes into a history file (move-rows.ts). */
export function prepareMoveIn(db: Database, kind: HistoryKind) {
  const samples = kind === 'samples';
  return {
    /** Moved blocks are written with their seq listed in `moved`. */
    block: samples ? db.prepare('INSERT INTO blocks (point, t0, t1, n, data) VALUES (?, ?, ?, ?, ?)') : null,
    moved: samples ? db.prepare('INSERT INTO moved (seq) VALUES (?)') : null,
    /** A point's blocks in a window, so a sample stored already (a redelivery, a move redone) is not written twice. */
    windowBlocks: samples ? db.prepare('SELECT data FROM blocks WHERE point = ? AND t0 >= ? AND t0 < ?').pluck() : null,
    merge: samples ? null : db.prepare(MERGE_ROLLUP),
    movedThrough: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    setMovedThrough: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
  };
}

export type MoveIn = ReturnType<typeof prepareMoveIn>;

/**
 * The rows of schema v8 in the operational database, as the move reads and deletes them:
 * in primary-key order (point, time), a slice at a time from the first row left.
 */
export function prepareOldRows(db: Database) {
  return {
    samples: db
      .prepare('SELECT point_id, ts, value, quality FROM telemetry_samples ORDER BY point_id, ts LIMIT ?')
      .raw(),
    rollups: db
      .prepare(
        'SELECT point_id, bucket, min, max, mean, last, count FROM telemetry_rollups ORDER BY point_id, bucket LIMIT ?',
      )
      .raw(),
    any: db
      .prepare('SELECT EXISTS (SELECT 1 FROM telemetry_samples) OR EXISTS (SELECT 1 FROM telemetry_rollups)')
      .pluck(),
    deleteSamples: db.prepare('DELETE FROM telemetry_samples WHERE point_id = ? AND ts <= ?'),
    deleteRollups: db.prepare('DELETE FROM telemetry_rollups WHERE point_id = ? AND bucket <= ?'),
  };
}

/** What `db rollback` reads from history files to pack them back into v8 rows (pack-rows.ts). */
export function prepareContents(db: Database, kind: HistoryKind) {
  return kind === 'samples'
    ? {
        blocks: db.prepare('SELECT point, data FROM blocks'),
        journal: db.prepare('SELECT data FROM journal').pluck(),
      }
    : {
        rollups: db.prepare('SELECT point, bucket, min, max, sum, last, count FROM rollups').raw(),
        /** The UTC days the rollups cover. */
        days: db.prepare('SELECT DISTINCT bucket - bucket % 86400000 FROM rollups').pluck(),
      };
}

/** v8 rows written back by `db rollback`, as they were before schema 9 (a row there already kept). */
export function prepareRowsBack(db: Database) {
  return {
    sample: db.prepare('INSERT OR IGNORE INTO telemetry_samples (point_id, ts, value, quality) VALUES (?, ?, ?, ?)'),
    rollup: db.prepare(`INSERT INTO telemetry_rollups (point_id, bucket, min, max, mean, last, count)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(point_id, bucket) DO UPDATE SET min = excluded.min,
        max = excluded.max, mean = excluded.mean, last = excluded.last, count = excluded.count`),
  };
}

/** What `plainview db status` counts: samples in a file's blocks and journal records (status.ts). */
export function prepareCounts(db: Database) {
  return {
    inBlocks: db.prepare('SELECT coalesce(sum(n), 0) FROM blocks').pluck(),
    journal: db.prepare('SELECT data FROM journal').pluck(),
    windowBlocks: db.prepare('SELECT data FROM blocks WHERE point = ? AND t0 >= ? AND t0 < ?').pluck(),
  };
}

/** v8 rows not moved into history files yet (a count reads the whole table: for `db status`, not the station). */
export function prepareRowsLeft(db: Database) {
  return {
    samples: db.prepare('SELECT count(*) FROM telemetry_samples').pluck(),
    rollups: db.prepare('SELECT count(*) FROM telemetry_rollups').pluck(),
  };
}
