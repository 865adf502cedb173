import type { Migration } from '../src/main/store/migration';

/**
 * Schema v3: what the alarm, incident and handover work needs to stay consistent across
 * consoles (docs/sync.md). The alarm journal becomes the alarm's event log: every event
 * carries its id (applied once) and a sort key (hybrid logical clock, or the field's time for
 * condition changes), and an alarm's state is the replay of its journal in that order.
 * Incidents keep a per-field clock for last-writer-wins. Shift handover reports get a table.
 */
export const m0003: Migration = {
  version: 3,
  name: 'alarm-sync-and-handover',
  up(db) {
    db.exec(`
      ALTER TABLE alarm_journal ADD COLUMN event_id TEXT;
      ALTER TABLE alarm_journal ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE alarm_journal ADD COLUMN body TEXT NOT NULL DEFAULT '{}';
      CREATE UNIQUE INDEX alarm_journal_event ON alarm_journal (event_id) WHERE event_id IS NOT NULL;
      CREATE INDEX alarm_journal_order ON alarm_journal (alarm_id, sort_key);

      -- Alarms a station raises about itself (its own link down) are not shared.
      ALTER TABLE alarms ADD COLUMN local INTEGER NOT NULL DEFAULT 0 CHECK (local IN (0, 1));

      ALTER TABLE incidents ADD COLUMN field_hlc TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE incident_timeline ADD COLUMN hlc TEXT NOT NULL DEFAULT '';

      CREATE TABLE IF NOT EXISTS handover_reports (
        id               TEXT PRIMARY KEY,
        site_id          TEXT NOT NULL,
        station_id       TEXT NOT NULL,
        shift_start      TEXT NOT NULL,
        shift_end        TEXT NOT NULL,
        outgoing         TEXT NOT NULL,
        incoming         TEXT,
        notes            TEXT NOT NULL DEFAULT '',
        content          TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        signed_off_at    TEXT,
        acknowledged_at  TEXT,
        hlc              TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS handover_reports_created ON handover_reports (created_at);
    `);
  },
  down(db) {
    // Columns go; handover reports stay: an older Plainview ignores the table, and a shift's
    // signed record must not be lost to a rollback. `up` finds it in place.
    db.exec(`
      DROP INDEX alarm_journal_order;
      DROP INDEX alarm_journal_event;
      ALTER TABLE alarm_journal DROP COLUMN body;
      ALTER TABLE alarm_journal DROP COLUMN sort_key;
      ALTER TABLE alarm_journal DROP COLUMN event_id;
      ALTER TABLE alarms DROP COLUMN local;
      ALTER TABLE incidents DROP COLUMN field_hlc;
      ALTER TABLE incident_timeline DROP COLUMN hlc;
    `);
  },
};
