import type { Database } from 'better-sqlite3';
import type { Quality } from '../../shared/quality';
import type { PointKind } from '../../shared/telemetry';
import type { ValveState } from '../../shared/valves';
import type { FieldState } from './state';

interface ValveRow {
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

interface PointRow {
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

/**
 * The state the station had when it last ran, so it can show the site before the broker
 * answers. Nothing loaded here counts as received: it is stale until the field confirms it.
 */
export function loadLastKnown(db: Database, state: FieldState): void {
  const site = db.prepare('SELECT name, demo FROM sites WHERE id = ?').get(state.siteId) as
    { name: string; demo: number } | undefined;
  const segments = db
    .prepare('SELECT id, name, seq FROM segments WHERE site_id = ? ORDER BY seq')
    .all(state.siteId) as { id: string; name: string; seq: number }[];
  if (site && segments.length) state.site = { name: site.name, demo: site.demo === 1, segments };
  for (const r of db.prepare('SELECT * FROM valves WHERE site_id = ?').all(state.siteId) as ValveRow[]) {
    if (state.valves.has(r.id)) continue;
    state.valves.set(r.id, {
      receivedAt: 0,
      msg: {
        v: 1,
        ts: r.updated_at ?? new Date(0).toISOString(),
        gateway: '',
        name: r.name,
        segment: r.segment,
        state: r.state,
        position: r.position,
        quality: r.quality === 'stale' ? 'uncertain' : r.quality,
        localControl: r.local_control === 1,
        supportsPosition: r.supports_position === 1,
        fault: r.fault_reason,
      },
    });
  }
  for (const r of db.prepare('SELECT * FROM telemetry_points WHERE site_id = ?').all(state.siteId) as PointRow[]) {
    const p = state.point(r.id);
    if (p.receivedAt !== null) continue;
    p.meta = {
      v: 1,
      gateway: '',
      kind: r.kind,
      unit: r.unit,
      segment: r.segment,
      valve: r.valve_id,
      staleAfterMs: r.stale_after_ms,
    };
    Object.assign(p, { value: r.last_value, quality: r.last_quality ?? 'uncertain', ts: r.last_ts });
  }
}

/**
 * Writes the latest value of every point that changed since the last call (`saved` holds
 * the sample time last written per point), in one transaction.
 */
/** The points whose latest value changed since they were last saved: [id, value, quality, ts]. */
export function changedPoints(state: FieldState, saved: Map<string, number>): LatestPoint[] {
  const out: LatestPoint[] = [];
  for (const p of state.points.values()) {
    if (p.ts === null || saved.get(p.id) === p.ts) continue;
    out.push([p.id, p.value, p.quality, p.ts]);
    saved.set(p.id, p.ts);
  }
  return out;
}

export type LatestPoint = [id: string, value: number | null, quality: string, ts: number];

export const UPDATE_LATEST = 'UPDATE telemetry_points SET last_value = ?, last_quality = ?, last_ts = ? WHERE id = ?';

/** Writes the latest values here, in one transaction (at stop, or without a writer thread). */
export function saveLatestPoints(db: Database, state: FieldState, saved: Map<string, number>): number {
  const update = db.prepare(UPDATE_LATEST);
  let n = 0;
  db.transaction(() => {
    for (const [id, value, quality, ts] of changedPoints(state, saved)) n += update.run(value, quality, ts, id).changes;
  })();
  return n;
}
