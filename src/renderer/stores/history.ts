import type { PointView } from '../../shared/telemetry';

/**
 * Recent values of the segment points (pressure, flow) as the console received them, for
 * the overview's sparklines: the last few minutes since the console opened, kept in
 * memory only. Bounded per point by age and count.
 */
export interface Sample {
  t: number;
  v: number;
}

export class RecentHistory {
  private readonly series = new Map<string, Sample[]>();

  constructor(
    readonly maxAgeMs = 10 * 60_000,
    readonly maxSamples = 240,
  ) {}

  /** Adds a value if it is newer than the last one kept; drops what is too old or too many. */
  record(id: string, t: number, v: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(v)) return;
    let s = this.series.get(id);
    if (!s) this.series.set(id, (s = []));
    const last = s[s.length - 1];
    if (last && t <= last.t) return;
    s.push({ t, v });
    const from = t - this.maxAgeMs;
    let drop = 0;
    while (drop < s.length && (s[drop]!.t < from || s.length - drop > this.maxSamples)) drop++;
    if (drop) s.splice(0, drop);
  }

  /** Records the points worth a sparkline: a segment's pressure and flow. */
  recordPoints(points: readonly PointView[]): void {
    for (const p of points) {
      if ((p.kind === 'pressure' || p.kind === 'flow') && p.value !== null && p.ts)
        this.record(p.id, Date.parse(p.ts), p.value);
    }
  }

  get(id: string): readonly Sample[] {
    return this.series.get(id) ?? [];
  }
}

/** The console's one history, fed by the field store. */
export const recentHistory = new RecentHistory();

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
