import type { Database } from 'better-sqlite3';
import type { PointMetaMessage, ValveStateMessage } from '../../shared/protocol';
import type { Quality } from '../../shared/quality';
import { selectLastKnown } from './sql';

/** The state the station had when it last ran, as the field would have sent it. */
export interface LastKnown {
  site: { name: string; demo: boolean; segments: { id: string; name: string; seq: number }[] } | null;
  valves: { id: string; msg: ValveStateMessage }[];
  points: { id: string; meta: PointMetaMessage; value: number | null; quality: Quality; ts: number | null }[];
}

/**
 * Reads the last known state of the site from the store, so the console can show it before
 * the broker answers. A value stored as stale comes back uncertain: whoever shows it decides
 * its freshness again.
 */
export function readLastKnown(db: Database, siteId: string): LastKnown {
  const { site, segments, valveRows, pointRows } = selectLastKnown(db, siteId);
  const valves = valveRows.map((r) => ({
    id: r.id,
    msg: {
      v: 1 as const,
      ts: r.updated_at ?? new Date(0).toISOString(),
      gateway: '',
      name: r.name,
      segment: r.segment,
      state: r.state,
      position: r.position,
      quality: r.quality === 'stale' ? ('uncertain' as const) : r.quality,
      localControl: r.local_control === 1,
      supportsPosition: r.supports_position === 1,
      fault: r.fault_reason,
    },
  }));
  const points = pointRows.map((r) => ({
    id: r.id,
    meta: {
      v: 1 as const,
      gateway: '',
      kind: r.kind,
      unit: r.unit,
      segment: r.segment,
      valve: r.valve_id,
      staleAfterMs: r.stale_after_ms,
      // Not kept in the store: the field's retained description brings it again.
      compression: null,
    },
    value: r.last_value,
    quality: r.last_quality ?? ('uncertain' as const),
    ts: r.last_ts,
  }));
  return {
    site: site && segments.length ? { name: site.name, demo: site.demo === 1, segments } : null,
    valves,
    points,
  };
}
