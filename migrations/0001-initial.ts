import type { Migration } from '../src/main/store/migration';

/**
 * Schema v1: everything the field link, actuation, alarms, incidents, the API and
 * operator sign-on need. Times are ISO-8601 UTC text, except telemetry, whose volume
 * makes integer epoch milliseconds worth it. See docs/data-model.md.
 */
export const m0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE sites (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        demo        INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
        created_at  TEXT NOT NULL
      );

      CREATE TABLE segments (
        id       TEXT NOT NULL,
        site_id  TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        name     TEXT NOT NULL,
        seq      INTEGER NOT NULL,
        PRIMARY KEY (site_id, id)
      );

      CREATE TABLE valves (
        id             TEXT PRIMARY KEY,
        site_id        TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        name           TEXT NOT NULL,
        segment        TEXT NOT NULL,
        state          TEXT NOT NULL DEFAULT 'unknown'
                       CHECK (state IN ('open','closed','opening','closing','fault','unknown')),
        position       REAL CHECK (position IS NULL OR (position >= 0 AND position <= 100)),
        quality        TEXT NOT NULL DEFAULT 'uncertain'
                       CHECK (quality IN ('good','uncertain','stale','bad')),
        local_control  INTEGER NOT NULL DEFAULT 0 CHECK (local_control IN (0, 1)),
        fault_reason   TEXT,
        updated_at     TEXT,
        received_at    TEXT
      );
      CREATE INDEX valves_site_segment ON valves (site_id, segment);

      CREATE TABLE telemetry_points (
        id           TEXT PRIMARY KEY,
        site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('pressure','flow','temperature','position')),
        unit         TEXT NOT NULL,
        segment      TEXT,
        valve_id     TEXT REFERENCES valves(id) ON DELETE SET NULL,
        last_value   REAL,
        last_quality TEXT CHECK (last_quality IS NULL OR last_quality IN ('good','uncertain','stale','bad')),
        last_ts      INTEGER
      );

      -- Raw samples, clustered by point and time so a trend is one range scan.
      CREATE TABLE telemetry_samples (
        point_id  TEXT NOT NULL,
        ts        INTEGER NOT NULL,
        value     REAL NOT NULL,
        quality   TEXT NOT NULL CHECK (quality IN ('good','uncertain','stale','bad')),
        PRIMARY KEY (point_id, ts)
      ) WITHOUT ROWID;

      CREATE TABLE telemetry_rollups (
        point_id  TEXT NOT NULL,
        bucket    INTEGER NOT NULL,
        min       REAL NOT NULL,
        max       REAL NOT NULL,
        mean      REAL NOT NULL,
        last      REAL NOT NULL,
        count     INTEGER NOT NULL,
        PRIMARY KEY (point_id, bucket)
      ) WITHOUT ROWID;

      CREATE TABLE actuation_commands (
        id               TEXT PRIMARY KEY,
        valve_id         TEXT NOT NULL REFERENCES valves(id),
        action           TEXT NOT NULL CHECK (action IN ('open','close','set_position')),
        target_position  REAL,
        state            TEXT NOT NULL CHECK (state IN ('selected','sent','accepted','completed',
                           'rejected','failed','timed_out','expired','cancelled','unknown')),
        reason           TEXT,
        operator         TEXT NOT NULL,
        station_id       TEXT NOT NULL,
        correlation_id   TEXT,
        issued_at        TEXT NOT NULL,
        expires_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      CREATE INDEX actuation_commands_valve ON actuation_commands (valve_id, issued_at);
      CREATE INDEX actuation_commands_open ON actuation_commands (state)
        WHERE state IN ('selected','sent','accepted');

      -- Every lifecycle step of every command, in order.
      CREATE TABLE command_transitions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        command_id  TEXT NOT NULL REFERENCES actuation_commands(id),
        state       TEXT NOT NULL,
        at          TEXT NOT NULL,
        detail      TEXT
      );
      CREATE INDEX command_transitions_command ON command_transitions (command_id, id);

      CREATE TABLE alarms (
        id               TEXT PRIMARY KEY,
        site_id          TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        source           TEXT NOT NULL,
        priority         TEXT NOT NULL CHECK (priority IN ('critical','high','medium','low')),
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
        hlc              TEXT NOT NULL
      );
      CREATE INDEX alarms_state ON alarms (state, priority);

      CREATE TABLE alarm_journal (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        alarm_id    TEXT NOT NULL REFERENCES alarms(id),
        at          TEXT NOT NULL,
        transition  TEXT NOT NULL,
        actor       TEXT NOT NULL,
        station_id  TEXT NOT NULL,
        note        TEXT
      );
      CREATE INDEX alarm_journal_alarm ON alarm_journal (alarm_id, id);

      CREATE TABLE incidents (
        id           TEXT PRIMARY KEY,
        site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        title        TEXT NOT NULL,
        severity     TEXT NOT NULL CHECK (severity IN ('critical','high','medium','low')),
        status       TEXT NOT NULL CHECK (status IN ('open','investigating','mitigated','resolved')),
        description  TEXT NOT NULL DEFAULT '',
        segment      TEXT,
        assignee     TEXT,
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        hlc          TEXT NOT NULL
      );

      CREATE TABLE incident_links (
        incident_id  TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('valve','alarm')),
        target_id    TEXT NOT NULL,
        PRIMARY KEY (incident_id, kind, target_id)
      );

      -- Timeline entries carry the id of the event that made them, so merging is a set union.
      CREATE TABLE incident_timeline (
        id           TEXT PRIMARY KEY,
        incident_id  TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        at           TEXT NOT NULL,
        author       TEXT NOT NULL,
        kind         TEXT NOT NULL,
        note         TEXT NOT NULL
      );
      CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, at);

      -- Append-only: the triggers below refuse UPDATE and DELETE.
      CREATE TABLE audit_log (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        at              TEXT NOT NULL,
        actor           TEXT NOT NULL,
        station_id      TEXT NOT NULL,
        action          TEXT NOT NULL,
        subject         TEXT,
        result          TEXT NOT NULL,
        correlation_id  TEXT,
        request_id      TEXT,
        detail          TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;

      -- Station-originated messages, written in the same transaction as the change they
      -- describe and published when the broker can take them. Never valve commands.
      CREATE TABLE outbox (
        id          TEXT PRIMARY KEY,
        topic       TEXT NOT NULL,
        payload     TEXT NOT NULL,
        qos         INTEGER NOT NULL DEFAULT 1 CHECK (qos IN (0, 1, 2)),
        retain      INTEGER NOT NULL DEFAULT 0 CHECK (retain IN (0, 1)),
        created_at  TEXT NOT NULL,
        sent_at     TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;

      -- Ids of station events already applied here, so a redelivery changes nothing.
      CREATE TABLE applied_events (
        id          TEXT PRIMARY KEY,
        applied_at  TEXT NOT NULL
      );

      CREATE TABLE api_keys (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        scope         TEXT NOT NULL CHECK (scope IN ('read','write')),
        hash          TEXT NOT NULL UNIQUE,
        created_at    TEXT NOT NULL,
        revoked_at    TEXT,
        last_used_at  TEXT
      );

      CREATE TABLE operators (
        username         TEXT PRIMARY KEY,
        display_name     TEXT NOT NULL,
        role             TEXT NOT NULL CHECK (role IN ('viewer','operator','supervisor')),
        password_hash    TEXT,
        disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        failed_attempts  INTEGER NOT NULL DEFAULT 0,
        locked_until     TEXT,
        created_at       TEXT NOT NULL
      );
    `);
  },
  down(db) {
    // Dropping the initial schema deletes every row; the migrator refuses to do it
    // (see rollback), this exists so the list is symmetric and tests can prove the refusal.
    db.exec(`
      DROP TABLE operators; DROP TABLE api_keys; DROP TABLE applied_events; DROP TABLE outbox;
      DROP TABLE audit_log; DROP TABLE incident_timeline; DROP TABLE incident_links;
      DROP TABLE incidents; DROP TABLE alarm_journal; DROP TABLE alarms;
      DROP TABLE command_transitions; DROP TABLE actuation_commands; DROP TABLE telemetry_rollups;
      DROP TABLE telemetry_samples; DROP TABLE telemetry_points; DROP TABLE valves;
      DROP TABLE segments; DROP TABLE sites;
    `);
  },
};
