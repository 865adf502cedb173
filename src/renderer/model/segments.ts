import type { SiteView } from '../../shared/site';
import { compareNatural } from './natural-order';

export interface SegmentRow {
  id: string;
  name: string;
  seq: number;
  /** False for a segment that valves name but the site description does not list. */
  known: boolean;
}

/**
 * The segments to draw, in pipeline order: the site's (by seq), then any segment only the
 * valves mention (in natural order), so no valve is ever left off the schematic.
 */
export function segmentRows(
  site: SiteView | null,
  segmentValveIds: Readonly<Record<string, readonly string[]>>,
): SegmentRow[] {
  const rows: SegmentRow[] = [...(site?.segments ?? [])]
    .sort((a, b) => a.seq - b.seq || compareNatural(a.id, b.id))
    .map((s) => ({ id: s.id, name: s.name, seq: s.seq, known: true }));
  const listed = new Set(rows.map((r) => r.id));
  const extra = Object.keys(segmentValveIds)
    .filter((id) => !listed.has(id))
    .sort(compareNatural);
  const last = rows.length ? rows[rows.length - 1]!.seq : 0;
  extra.forEach((id, i) => rows.push({ id, name: id, seq: last + i + 1, known: false }));
  return rows;
}
