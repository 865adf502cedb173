import { csvText } from '../../shared/csv';
import { withGaps } from './trend';

/**
 * The trend popup's pure logic: several pens on one time axis (gaps kept as gaps), the view
 * (zoom and pan), the cursor readout, the custom range inputs and the CSV of what is shown.
 */

/** A pen's samples: epoch ms and values (the minute means for rollups). */
export interface PenSamples {
  t: readonly number[];
  v: readonly number[];
}

/**
 * Pens on one time axis, as uPlot takes them: the union of every pen's times, and per pen its
 * value at each time, `undefined` where the pen has no sample there (the line goes on) and
 * `null` where its own data has a gap (the line breaks).
 */
export interface AlignedPens {
  t: number[];
  values: (number | null | undefined)[][];
}

export function alignPens(pens: readonly PenSamples[]): AlignedPens {
  const gapped = pens.map((p) => withGaps(p.t, [p.v]));
  const times = [...new Set(gapped.flatMap((g) => g.t))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const values = gapped.map((g) => {
    const out: (number | null | undefined)[] = new Array(times.length).fill(undefined);
    g.t.forEach((t, i) => {
      const at = index.get(t)!;
      const v = g.series[0]![i];
      // A real sample wins over a gap marker that happens to fall on the same time.
      if (v !== null || out[at] === undefined) out[at] = v;
    });
    return out;
  });
  return { t: times, values };
}

/** The visible time span, epoch ms. */
export interface TimeView {
  min: number;
  max: number;
}

/** The view moved by a fraction of its width (negative: back in time). */
export function panView(view: TimeView, fraction: number): TimeView {
  const d = (view.max - view.min) * fraction;
  return { min: view.min + d, max: view.max + d };
}

/** The view zoomed about its middle (factor below 1 zooms in), never wider than `full`. */
export function zoomView(view: TimeView, factor: number, full: TimeView): TimeView {
  const span = Math.min(full.max - full.min, Math.max(1000, (view.max - view.min) * factor));
  const mid = (view.min + view.max) / 2;
  let min = mid - span / 2;
  let max = mid + span / 2;
  if (min < full.min) [min, max] = [full.min, full.min + span];
  if (max > full.max) [min, max] = [full.max - span, full.max];
  return { min, max };
}

/**
 * A pen's sample nearest to a time, if one is within `within` ms (beyond, the pen has no data
 * there, as across a gap); null otherwise.
 */
export function nearestSample(pen: PenSamples, at: number, within: number): { t: number; v: number } | null {
  const { t, v } = pen;
  if (!t.length) return null;
  let lo = 0;
  let hi = t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  const best = lo > 0 && Math.abs(t[lo - 1]! - at) <= Math.abs(t[lo]! - at) ? lo - 1 : lo;
  return Math.abs(t[best]! - at) <= within ? { t: t[best]!, v: v[best]! } : null;
}

export interface PenColumn {
  /** The point id. */
  label: string;
  /** The unit as the station gives it ("m3/h"); empty when it has none. */
  unit: string;
}

/**
 * What the trend shows, as CSV: a column of times (ISO, UTC), then one column per pen headed
 * by its point and unit; one row per time in the view at which some pen has a value (the
 * gap markers are not rows), an empty cell where a pen has no sample at that time.
 */
export function trendCsv(aligned: AlignedPens, pens: readonly PenColumn[], view: TimeView): string {
  const head = ['time', ...pens.map((p) => (p.unit ? `${p.label} (${p.unit})` : p.label))];
  const rows: unknown[][] = [head];
  aligned.t.forEach((t, i) => {
    if (t < view.min || t > view.max) return;
    const cells = aligned.values.map((vals) => vals[i]);
    if (cells.every((c) => c === null || c === undefined)) return;
    rows.push([new Date(t).toISOString(), ...cells]);
  });
  return csvText(rows);
}

/** How many rows trendCsv writes for the view. */
export function rowsInView(aligned: AlignedPens, view: TimeView): number {
  let n = 0;
  aligned.t.forEach((t, i) => {
    if (t >= view.min && t <= view.max && aligned.values.some((vals) => typeof vals[i] === 'number')) n++;
  });
  return n;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** An epoch time as a datetime-local input value in the console's local time ("2026-11-25T14:02"). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** "plainview-trend-seg-02-flow-20261125T140207Z.csv": the first pen and the view's start, UTC. */
export function trendFileName(firstPen: string, from: number): string {
  const stamp = new Date(from)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `plainview-trend-${firstPen.replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp}.csv`;
}
