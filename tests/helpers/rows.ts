import type { Database } from 'better-sqlite3';
import { tableNames } from '../../src/main/store';

/** Puts at least one row in every table of the schema (v1 columns only, so it works at v1 and v2). */
export function fillEveryTable(db: Database): void {
  const t = '2026-11-25T10:00:00.000Z';
  db.exec(`
    INSERT INTO sites VALUES ('north', 'North line', 0, '${t}');
    INSERT INTO segments VALUES ('seg-1', 'north', 'Segment 1', 1);
    INSERT INTO valves (id, site_id, name, segment, state, position, quality, updated_at)
      VALUES ('v-101', 'north', 'Inlet', 'seg-1', 'open', 100, 'good', '${t}');
    INSERT INTO telemetry_points (id, site_id, kind, unit, segment, valve_id, last_value, last_quality, last_ts)
      VALUES ('p-1/pressure', 'north', 'pressure', 'bar', 'seg-1', 'v-101', 41.5, 'good', 1764064800000);
    INSERT INTO telemetry_samples VALUES ('p-1/pressure', 1764064800000, 41.5, 'good'), ('p-1/pressure', 1764064801000, 41.6, 'good');
    INSERT INTO telemetry_rollups VALUES ('p-1/pressure', 1764064800000, 41.5, 41.6, 41.55, 41.6, 2);
    INSERT INTO actuation_commands VALUES ('6f1c2b7e-0000-4000-8000-000000000001', 'v-101', 'close', NULL, 'completed',
      NULL, 'alice', 'ws-1', 'corr-1', '${t}', '${t}', '${t}');
    INSERT INTO command_transitions (command_id, state, at) VALUES ('6f1c2b7e-0000-4000-8000-000000000001', 'sent', '${t}');
    INSERT INTO alarms (id, site_id, source, priority, state, message, raised_at, hlc)
      VALUES ('a-1', 'north', 'pipelineguard', 'high', 'active_unacked', 'Suspected leak', '${t}', '0001');
    INSERT INTO alarm_journal (alarm_id, at, transition, actor, station_id) VALUES ('a-1', '${t}', 'raised', 'field', 'ws-1');
    INSERT INTO incidents (id, site_id, title, severity, status, created_by, created_at, updated_at, hlc)
      VALUES ('i-1', 'north', 'Leak at seg-1', 'high', 'open', 'alice', '${t}', '${t}', '0001');
    INSERT INTO incident_links VALUES ('i-1', 'valve', 'v-101');
    INSERT INTO incident_timeline (id, incident_id, at, author, kind, note) VALUES ('e-1', 'i-1', '${t}', 'alice', 'note', 'Crew dispatched');
    INSERT INTO audit_log (at, actor, station_id, action, result) VALUES ('${t}', 'alice', 'ws-1', 'valve.operate', 'sent');
    INSERT INTO outbox (id, topic, payload, created_at) VALUES ('o-1', 'plainview/v2/north/stations/ws-1/events', '{}', '${t}');
    INSERT INTO applied_events VALUES ('e-1', '${t}');
    INSERT INTO api_keys (id, name, scope, hash, created_at) VALUES ('k-1', 'historian', 'read', 'abc123', '${t}');
    INSERT INTO operators (username, display_name, role, created_at) VALUES ('alice', 'Alice', 'operator', '${t}');
  `);
  if (hasTable(db, 'alarm_definitions')) {
    db.exec(`INSERT INTO alarm_definitions VALUES (1, 'north', '${t}', 'sam', 'ws-1', 'first set', '[]', '[]')`);
  }
  if (hasTable(db, 'handover_reports')) {
    db.exec(`INSERT INTO handover_reports (id, site_id, station_id, shift_start, shift_end, outgoing, content, created_at, hlc)
      VALUES ('h-1', 'north', 'ws-1', '${t}', '${t}', 'alice', '{}', '${t}', '0001')`);
  }
}

const hasTable = (db: Database, name: string) =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** Columns added after version 1: a rollback drops them, so comparisons leave them out. */
export const LATER_COLUMNS = [
  'supports_position',
  'stale_after_ms',
  'event_id',
  'sort_key',
  'body',
  'local',
  'field_hlc',
  'hlc',
  'point_id',
  'condition',
  'limit_value',
  'value',
  'suppressed',
  'created_hlc',
  'profile_hlc',
  'disables',
  'lifted',
  'last_hlc',
  'last_change',
  'last_by',
  'last_station',
  'last_at',
  'hash',
];

/** Every row of every table, for before/after comparisons. */
export function snapshot(db: Database, omitColumns: string[] = []): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of tableNames) {
    if (!hasTable(db, table)) continue;
    out[table] = (db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).filter(([k]) => !omitColumns.includes(k))),
    );
  }
  return out;
}
