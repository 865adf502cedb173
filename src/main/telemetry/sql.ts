import type { Database, Statement } from 'better-sqlite3';
import type { Quality } from '../../shared/quality';
import type { PointKind } from '../../shared/telemetry';
import type { ValveState } from '../../shared/valves';

/*
 * What the field sends, as SQL in the operational database: the field state the main thread's
 * writer keeps, latest values, the last-known state, and the samples and rollups of schema v8
 * and before (read by trends and pruned by retention until they have moved into history
 * files; src/main/history has the files' SQL).
 */

/** A point's latest value, served at the next start before the field answers. */
export const UPDATE_LATEST = 'UPDATE telemetry_points SET last_value = ?, last_quality = ?, last_ts = ? WHERE id = ?';

/** The site this station serves, so what belongs to it can be stored before the field describes it. */
export const INSERT_SITE_IF_ABSENT =
  'INSERT INTO sites (id, name, demo, created_at) VALUES (?, ?, 0, ?) ON CONFLICT(id) DO NOTHING';

const UPSERT_SITE = `INSERT INTO sites (id, name, demo, created_at) VALUES (?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, demo = excluded.demo`;
const UPSERT_SEGMENT = `INSERT INTO segments (id, site_id, name, seq) VALUES (?, ?, ?, ?)
  ON CONFLICT(site_id, id) DO UPDATE SET name = excluded.name, seq = excluded.seq`;
const UPSERT_VALVE = `INSERT INTO valves (id, site_id, name, segment, state, position, quality, local_control,
    fault_reason, updated_at, received_at, supports_position)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, segment = excluded.segment, state = excluded.state,
    position = excluded.position, quality = excluded.quality, local_control = excluded.local_control,
    fault_reason = excluded.fault_reason, updated_at = excluded.updated_at, received_at = excluded.received_at,
    supports_position = excluded.supports_position`;
const UPSERT_POINT_META = `INSERT INTO telemetry_points (id, site_id, kind, unit, segment, valve_id, stale_after_ms)
  VALUES (?, ?, ?, ?, ?, (SELECT id FROM valves WHERE id = ?), ?)
  ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, unit = excluded.unit, segment = excluded.segment,
    valve_id = excluded.valve_id, stale_after_ms = excluded.stale_after_ms`;

export type WriteStatements = Record<'site' | 'segment' | 'valve' | 'meta', Statement>;

/** The field state the main thread's writer writes, prepared on its connection. */
export function prepareWrites(db: Database): WriteStatements {
  return {
    site: db.prepare(UPSERT_SITE),
    segment: db.prepare(UPSERT_SEGMENT),
    valve: db.prepare(UPSERT_VALVE),
    meta: db.prepare(UPSERT_POINT_META),
  };
}

export interface RetentionStatements {
  nextSamplePoint: Statement;
  nextRollupPoint: Statement;
  points: Statement;
  raw: Statement;
  rollups: Statement;
}

/**
 * Retention's statements. The points are found by seeking the primary keys, never by scanning;
 * each delete takes everything of one point older than the cut-off, at most `stepRows` rows.
 */
export function prepareRetention(db: Database, stepRows: number): RetentionStatements {
  const bounded = (table: string, column: string) =>
    db.prepare(`DELETE FROM ${table} WHERE point_id = @id AND ${column} < @cut
      AND ${column} <= coalesce((SELECT ${column} FROM ${table} WHERE point_id = @id AND ${column} < @cut
        ORDER BY ${column} LIMIT 1 OFFSET ${stepRows - 1}), @cut)`);
  const next = (table: string) =>
    db.prepare(`SELECT point_id FROM ${table} WHERE point_id > ? ORDER BY point_id LIMIT 1`).pluck();
  return {
    nextSamplePoint: next('telemetry_samples'),
    nextRollupPoint: next('telemetry_rollups'),
    points: db.prepare('SELECT id FROM telemetry_points').pluck(),
    raw: bounded('telemetry_samples', 'ts'),
    rollups: bounded('telemetry_rollups', 'bucket'),
  };
}

/** The v8 rows between two times, as arrays: raw samples [ts, value]; rollups [bucket, mean, count, min, max]. */
export function prepareTrends(db: Database): { raw: Statement; rollups: Statement } {
  return {
    raw: db
      .prepare('SELECT ts, value FROM telemetry_samples WHERE point_id = ? AND ts >= ? AND ts <= ? ORDER BY ts')
      .raw(),
    rollups: db
      .prepare(
        'SELECT bucket, mean, count, min, max FROM telemetry_rollups WHERE point_id = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket',
      )
      .raw(),
  };
}

export interface ValveRow {
  id: string;
  name: string;
  segment: string;
  state: ValveState;
  position: number | null;
  quality: Quality;
  local_control: number;
  fault_reason: string | null;
  updated_at: string | null;
  supports_position: number;
}

export interface PointRow {
  id: string;
  kind: PointKind;
  unit: string;
  segment: string | null;
  valve_id: string | null;
  stale_after_ms: number | null;
  last_value: number | null;
  last_quality: Quality | null;
  last_ts: number | null;
}

/** The site, its segments, valves and points as the store last had them. */
export function selectLastKnown(db: Database, siteId: string) {
  return {
    site: db.prepare('SELECT name, demo FROM sites WHERE id = ?').get(siteId) as
      { name: string; demo: number } | undefined,
    segments: db.prepare('SELECT id, name, seq FROM segments WHERE site_id = ? ORDER BY seq').all(siteId) as {
      id: string;
      name: string;
      seq: number;
    }[],
    valveRows: db.prepare('SELECT * FROM valves WHERE site_id = ?').all(siteId) as ValveRow[],
    pointRows: db.prepare('SELECT * FROM telemetry_points WHERE site_id = ?').all(siteId) as PointRow[],
  };
}
