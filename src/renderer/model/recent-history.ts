import type { PointView } from '../../shared/telemetry';

/**
 * Recent values of the segment points (pressure, flow) as the console received them, for
 * the overview's sparklines: the last few minutes since the console opened, kept in
 * memory only. Bounded per point by age and count. Pure: every change answers a new record,
 * and the same record when nothing was kept.
 */
export interface Sample {
  t: number;
  v: number;
}

export type SampleSeries = Readonly<Record<string, readonly Sample[]>>;

export interface HistoryLimits {
  maxAgeMs: number;
  maxSamples: number;
}

export const HISTORY_LIMITS: HistoryLimits = { maxAgeMs: 10 * 60_000, maxSamples: 240 };

/** One series with a value added if it is newer than the last one kept; too old or too many dropped. */
function withSample(s: readonly Sample[], t: number, v: number, limits: HistoryLimits): readonly Sample[] {
  const last = s[s.length - 1];
  if (last && t <= last.t) return s;
  const next = [...s, { t, v }];
  const from = t - limits.maxAgeMs;
  let drop = 0;
  while (drop < next.length && (next[drop]!.t < from || next.length - drop > limits.maxSamples)) drop++;
  return drop ? next.slice(drop) : next;
}

/** The series with the points worth a sparkline recorded: a segment's pressure and flow. */
export function recordPoints(
  series: SampleSeries,
  points: readonly PointView[],
  limits: HistoryLimits = HISTORY_LIMITS,
): SampleSeries {
  let next: Record<string, readonly Sample[]> | null = null;
  for (const p of points) {
    if ((p.kind !== 'pressure' && p.kind !== 'flow') || p.value === null || !p.ts) continue;
    const t = Date.parse(p.ts);
    if (!Number.isFinite(t) || !Number.isFinite(p.value)) continue;
    const prev = (next ?? series)[p.id] ?? [];
    const kept = withSample(prev, t, p.value, limits);
    if (kept === prev) continue;
    next ??= { ...series };
    next[p.id] = kept;
  }
  return next ?? series;
}

/**
 * An SVG polyline for a sparkline of `samples` in a box of `width` × `height`; the time axis
 * is the samples' own span. Empty for fewer than two samples.
 */
export function sparklinePoints(samples: readonly Sample[], width: number, height: number): string {
  if (samples.length < 2) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of samples) {
    if (s.v < lo) lo = s.v;
    if (s.v > hi) hi = s.v;
  }
  // Noise must not look like a swing: the box spans at least 2 % of the value.
  const floor = Math.abs((hi + lo) / 2) * 0.02;
  if (hi - lo < floor) {
    const mid = (hi + lo) / 2;
    lo = mid - floor / 2;
    hi = mid + floor / 2;
  }
  const t0 = samples[0]!.t;
  const span = samples[samples.length - 1]!.t - t0 || 1;
  const range = hi - lo;
  return samples
    .map((s) => {
      const x = ((s.t - t0) / span) * width;
      const y = range === 0 ? height / 2 : height - ((s.v - lo) / range) * height;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
