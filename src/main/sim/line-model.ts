import { VALVES_PER_SEGMENT, type PointSpec, type SiteLayout } from './layout';
import type { Random } from './random';
import { newValve, type SimValve } from './valve';

/** Line figures for a plausible crude line: bar at the inlet, loss along it at full flow. */
export const INLET_BAR = 72;
const LINE_LOSS_BAR = 45;
/** What is left downstream of a closed block valve: the static head of the line. */
export const ISOLATED_BAR = 6;
const FULL_FLOW_M3H = 1150;
/** A leak pulls pressure down on its segment and, less, on the next; metering sees the imbalance. */
const LEAK_DROP_BAR = 9;
const LEAK_FLOW_GAIN = 0.05;

/** Per kind: how far the slow wander goes per sample, how fast it returns, and the noise. */
const SIGNAL = {
  pressure: { walk: 0.05, pull: 0.02, noise: 0.08 },
  flow: { walk: 2, pull: 0.02, noise: 4 },
} as const;
/** Below this flow fraction a flow meter's error shrinks with the flow: a shut line reads 0. */
const FLOW_NOISE_FULL_AT = 0.1;

interface LineShape {
  /** 0 (shut in) to 1 (full flow), from block and control valve positions. */
  throttle: number;
  /** Per segment: the pressure at its transmitter (mid-segment), before leaks, wander and drift. */
  pressure: Float64Array;
}

/** A transmitter drifting away from the truth: `offset` at `since`, then `perMinute` more each minute. */
interface Drift {
  perMinute: number;
  since: number;
  offset: number;
}

export interface DriftInfo {
  index: number;
  perMinute: number;
  /** How far the reading is from the truth now. */
  offset: number;
}

/**
 * Telemetry values for every point: pressure falls along the line with the square of the
 * flow; a closing block valve cuts the flow, lets the line upstream of it rise toward the
 * inlet pressure (no flow, no loss) and the line downstream of it fall to the static head;
 * a leak shows as a pressure drop; each signal carries a slow wander plus noise, and a
 * transmitter may be made to drift. The line's shape is recomputed only when a valve moves,
 * so a sample costs a few arithmetic operations even with 10,000 valves.
 */
export class LineModel {
  private shape: LineShape | null = null;
  private readonly leaks = new Set<number>();
  private readonly walk: Float64Array;
  private readonly drifts = new Map<number, Drift>();
  /** Block valves, each with the first segment whose transmitter stands downstream of it. */
  private readonly blocks: { valve: SimValve; from: number }[] = [];
  private readonly controls: SimValve[] = [];
  /** Per gap between transmitters (k: just upstream of segment k's): the least block opening in it. */
  private readonly cuts: Float64Array;

  constructor(
    private readonly layout: SiteLayout,
    private readonly valves: ReadonlyMap<string, SimValve>,
    private readonly random: Random,
    /** Field time in ms, for drifting transmitters. */
    private readonly now: () => number,
  ) {
    this.walk = new Float64Array(layout.points.length);
    this.cuts = new Float64Array(layout.segments.length + 1);
    const slot = new Map<number, number>();
    for (const v of valves.values()) {
      const s = v.spec.segmentIndex;
      const k = slot.get(s) ?? 0;
      slot.set(s, k + 1);
      // Transmitters stand mid-segment: the first block valve of a segment is upstream of its own.
      if (v.spec.role === 'block') this.blocks.push({ valve: v, from: k < VALVES_PER_SEGMENT / 2 ? s : s + 1 });
      else if (v.spec.role === 'control') this.controls.push(v);
    }
  }

  /** A valve moved: the line's shape must be worked out again. */
  invalidate(): void {
    this.shape = null;
  }

  setLeak(segmentIndex: number, on: boolean): void {
    if (on) this.leaks.add(segmentIndex);
    else this.leaks.delete(segmentIndex);
  }

  leakingSegments(): number[] {
    return [...this.leaks].sort((a, b) => a - b);
  }

  /** Point number `index` reads `perMinute` further from the truth each minute, from where it reads now. */
  setDrift(index: number, perMinute: number): void {
    const now = this.now();
    this.drifts.set(index, { perMinute, since: now, offset: this.driftOffset(index, now) });
  }

  /** The point reads the truth again; false if it was not drifting. */
  clearDrift(index: number): boolean {
    return this.drifts.delete(index);
  }

  listDrifts(): DriftInfo[] {
    const now = this.now();
    return [...this.drifts].map(([index, d]) => ({
      index,
      perMinute: d.perMinute,
      offset: this.driftOffset(index, now),
    }));
  }

  /** The current value of point number `index` of the layout. */
  value(index: number): number {
    const point = this.layout.points[index] as PointSpec;
    const drift = this.drifts.size === 0 ? 0 : this.driftOffset(index, this.now());
    if (point.kind === 'position') return round((this.valves.get(point.valve ?? '')?.position ?? 0) + drift, 1);
    const shape = (this.shape ??= this.computeShape());
    if (point.kind === 'pressure') {
      return round(Math.max(0, this.pressureAt(point.segmentIndex, shape) + this.wander(index, 1) + drift), 2);
    }
    const scale = Math.min(1, shape.throttle / FLOW_NOISE_FULL_AT);
    return round(Math.max(0, this.flowAt(point.segmentIndex, shape) + this.wander(index, scale) + drift), 1);
  }

  /** The noise-free pressure and flow of every segment now: what the transmitters would read if perfect. */
  truth(): { pressure: number[]; flow: number[] } {
    const shape = (this.shape ??= this.computeShape());
    const pressure = this.layout.segments.map((_, i) => this.pressureAt(i, shape));
    const flow = this.layout.segments.map((_, i) => this.flowAt(i, shape));
    return { pressure, flow };
  }

  private pressureAt(i: number, shape: LineShape): number {
    const leak = this.leaks.has(i) ? LEAK_DROP_BAR : this.leaks.has(i - 1) ? LEAK_DROP_BAR / 2 : 0;
    return (shape.pressure[i] ?? ISOLATED_BAR) - leak;
  }

  private flowAt(i: number, shape: LineShape): number {
    const base = FULL_FLOW_M3H * shape.throttle;
    if (this.leaks.has(i)) return base * (1 + LEAK_FLOW_GAIN);
    for (const l of this.leaks) if (l < i) return base * (1 - LEAK_FLOW_GAIN);
    return base;
  }

  /** Mean-reverting random walk plus white noise, per point, scaled by `scale`. */
  private wander(index: number, scale: number): number {
    const kind = this.layout.points[index]?.kind === 'flow' ? SIGNAL.flow : SIGNAL.pressure;
    const d = (this.walk[index] ?? 0) * (1 - kind.pull) + kind.walk * this.random.gaussian();
    this.walk[index] = d;
    return (d + kind.noise * this.random.gaussian()) * scale;
  }

  private driftOffset(index: number, now: number): number {
    const d = this.drifts.get(index);
    return d ? d.offset + (d.perMinute * (now - d.since)) / 60_000 : 0;
  }

  /**
   * Flow is the control valves' opening times the least block opening anywhere. A segment's
   * pressure depends on the least block opening upstream of its transmitter (`up`) and
   * downstream of it (`down`): with `up` open it sits on the flowing profile, rising toward
   * the inlet as `down` closes; as `up` closes it falls toward the static head, unless `down`
   * is shut too and it is still fed from the inlet: a pressure divider of the two openings.
   */
  private computeShape(): LineShape {
    const n = this.layout.segments.length;
    const cuts = this.cuts.fill(1);
    for (const b of this.blocks) cuts[b.from] = Math.min(cuts[b.from] ?? 1, b.valve.position / 100);
    let control = 0;
    for (const v of this.controls) control += v.position / 100;
    const opening = 0.6 + 0.4 * (this.controls.length ? control / this.controls.length : 1);
    const down = new Float64Array(n);
    let least = cuts[n] ?? 1;
    for (let i = n - 1; i >= 0; i--) {
      down[i] = least;
      least = Math.min(least, cuts[i] ?? 1);
    }
    const pressure = new Float64Array(n);
    let up = 1;
    for (let i = 0; i < n; i++) {
      up = Math.min(up, cuts[i] ?? 1);
      const d = down[i] ?? 1;
      const flowing = INLET_BAR - LINE_LOSS_BAR * ((i + 0.5) / n) * (opening * d) ** 2;
      const fed = up + (1 - up) * d;
      const weight = fed > 0 ? up / fed : 0;
      pressure[i] = ISOLATED_BAR + (flowing - ISOLATED_BAR) * weight;
    }
    return { throttle: opening * least, pressure };
  }
}

/**
 * The noise-free pressure and flow of each segment in normal operation (the layout's starting
 * valve positions): the design values an alarm definition is set against.
 */
export function designValues(layout: SiteLayout): { pressure: number[]; flow: number[] } {
  const valves = new Map(layout.valves.map((spec) => [spec.id, newValve(spec)]));
  const still = { next: () => 0.5, gaussian: () => 0 };
  return new LineModel(layout, valves, still, () => 0).truth();
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
