import type { Migration } from '../src/main/store/migration';

/** The alarms table's columns up to v5, in order. */
const V5_COLUMNS = `id, site_id, source, priority, state, segment, valve_id, message, raised_at, cleared_at,
  acked_at, acked_by, shelved_until, shelved_by, shelve_reason, resolved_at, resolved_by, resolution_note, hlc, local`;

const alarmsTable = (name: string, priorities: string, limitColumns: string) => `
  CREATE TABLE ${name} (
    id               TEXT PRIMARY KEY,
    site_id          TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    source           TEXT NOT NULL,
    priority         TEXT NOT NULL CHECK (priority IN (${priorities})),
    state            TEXT NOT NULL CHECK (state IN ('active_unacked','active_acked','cleared_unacked','normal')),
    segment          TEXT,
    valve_id         TEXT,
    message          TEXT NOT NULL,
    raised_at        TEXT NOT NULL,
    cleared_at       TEXT,
    acked_at         TEXT,
    acked_by         TEXT,
    shelved_until    TEXT,
    shelved_by       TEXT,
    shelve_reason    TEXT,
    resolved_at      TEXT,
    resolved_by      TEXT,
    resolution_note  TEXT,
    hlc              TEXT NOT NULL,
    local            INTEGER NOT NULL DEFAULT 0 CHECK (local IN (0, 1))${limitColumns}
  );`;

/**
 * Schema v6: limit alarms on analog points (docs/alarms.md). The site's alarm definitions, one
 * row per version, each with its management-of-change record; the alarms table takes the
 * diagnostic priority (API RP 1167) and what a limit alarm adds: its point and condition, the
 * limit and the value that raised it, and whether it is suppressed by design. SQLite cannot
 * change a CHECK, so the table is rebuilt (the migrator runs with foreign keys off); it is a
 * replay of the journal, which stays as it is. Raises are indexed by time: the day's alarm
 * load (EEMUA 191) is read from them.
 */
export const m0006: Migration = {
  version: 6,
  name: 'limit-alarms',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS alarm_definitions (
        version      INTEGER PRIMARY KEY,
        site_id      TEXT NOT NULL,
        changed_at   TEXT NOT NULL,
        changed_by   TEXT NOT NULL,
        station_id   TEXT NOT NULL,
        reason       TEXT NOT NULL,
        definitions  TEXT NOT NULL,
        changes      TEXT NOT NULL
      );
      ${alarmsTable(
        'alarms_v6',
        `'critical','high','medium','low','diagnostic'`,
        `,
    point_id         TEXT,
    condition        TEXT,
    limit_value      REAL,
    value            REAL,
    suppressed       INTEGER NOT NULL DEFAULT 0 CHECK (suppressed IN (0, 1))`,
      )}
      INSERT INTO alarms_v6 (${V5_COLUMNS}) SELECT ${V5_COLUMNS} FROM alarms;
      DROP TABLE alarms;
      ALTER TABLE alarms_v6 RENAME TO alarms;
      CREATE INDEX alarms_state ON alarms (state, priority);
      CREATE INDEX alarm_journal_raises ON alarm_journal (at) WHERE transition = 'raise';
    `);
  },
  down(db) {
    // Diagnostic alarms become low (v5 has no diagnostic class); what limit alarms added goes.
    // The definitions stay: an older Plainview ignores the table, and `up` finds it in place.
    db.exec(`
      DROP INDEX alarm_journal_raises;
      ${alarmsTable('alarms_v5', `'critical','high','medium','low'`, '')}
      INSERT INTO alarms_v5 (${V5_COLUMNS})
        SELECT ${V5_COLUMNS.replace('priority', "CASE priority WHEN 'diagnostic' THEN 'low' ELSE priority END")} FROM alarms;
      DROP TABLE alarms;
      ALTER TABLE alarms_v5 RENAME TO alarms;
      CREATE INDEX alarms_state ON alarms (state, priority);
    `);
  },
};
