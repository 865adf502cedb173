import type { Database } from 'better-sqlite3';
import { UPDATE_LATEST } from './sql';

/** A point's latest value for the store: [id, value, quality, field time in epoch ms]. */
export type LatestPoint = [id: string, value: number | null, quality: string, ts: number];

/** What the field holds of a point (src/main/field/state.ts's PointRecord fits). */
export interface PointNow {
  id: string;
  value: number | null;
  quality: string;
  ts: number | null;
}

/**
 * The points whose latest value changed since they were last saved; `saved` holds the sample
 * time last written per point and is updated.
 */
export function changedPoints(points: Iterable<PointNow>, saved: Map<string, number>): LatestPoint[] {
  const out: LatestPoint[] = [];
  for (const p of points) {
    if (p.ts === null || saved.get(p.id) === p.ts) continue;
    out.push([p.id, p.value, p.quality, p.ts]);
    saved.set(p.id, p.ts);
  }
  return out;
}

/** Writes latest values on this connection, in one transaction (at stop, or without a writer thread). */
export function writeLatest(db: Database, rows: readonly LatestPoint[]): number {
  const update = db.prepare(UPDATE_LATEST);
  let n = 0;
  db.transaction(() => {
    for (const [id, value, quality, ts] of rows) n += update.run(value, quality, ts, id).changes;
  })();
  return n;
}
