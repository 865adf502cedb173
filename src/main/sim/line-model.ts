import type { PointSpec, SiteLayout } from './layout';
import type { Random } from './random';
import type { SimValve } from './valve';

/** Line figures for a plausible crude line: bar at the inlet, loss along it at full flow. */
const INLET_BAR = 72;
const LINE_LOSS_BAR = 45;
/** What is left downstream of a closed block valve: the static head of the line. */
const ISOLATED_BAR = 6;
const FULL_FLOW_M3H = 1150;
/** A leak pulls pressure down on its segment and, less, on the next; metering sees the imbalance. */
const LEAK_DROP_BAR = 9;
const LEAK_FLOW_GAIN = 0.05;

/** Per kind: how far the slow drift wanders per sample, how fast it returns, and the noise. */
const SIGNAL = {
  pressure: { walk: 0.05, pull: 0.02, noise: 0.08 },
  flow: { walk: 2, pull: 0.02, noise: 4 },
} as const;

interface LineShape {
  /** 0 (shut in) to 1 (full flow), from block and control valve positions. */
  throttle: number;
  /** Index of the first segment with a closed block valve; segments after it are isolated. */
  firstClosed: number;
}

/**
 * Telemetry values for every point: pressure falls along the line with the square of the
 * flow, a closed block valve isolates what is downstream, a leak shows as a pressure drop,
 * and each signal carries a slow drift plus noise. The line's shape is recomputed only when
 * a valve moves, so a sample costs a few arithmetic operations even with 10,000 valves.
 */
export class LineModel {
  private shape: LineShape | null = null;
  private readonly leaks = new Set<number>();
  private readonly drift: Float64Array;

  constructor(
    private readonly layout: SiteLayout,
    private readonly valves: ReadonlyMap<string, SimValve>,
    private readonly random: Random,
  ) {
    this.drift = new Float64Array(layout.points.length);
  }

  /** A valve moved: the line's shape must be worked out again. */
  invalidate(): void {
    this.shape = null;
  }

  setLeak(segmentIndex: number, on: boolean): void {
    if (on) this.leaks.add(segmentIndex);
    else this.leaks.delete(segmentIndex);
  }

  /** The current value of point number `index` of the layout. */
  value(index: number): number {
    const point = this.layout.points[index] as PointSpec;
    if (point.kind === 'position') return round(this.valves.get(point.valve ?? '')?.position ?? 0, 1);
    const shape = (this.shape ??= this.computeShape());
    if (point.kind === 'pressure') return round(Math.max(0, this.pressure(point, shape) + this.wander(index)), 2);
    return round(Math.max(0, this.flow(point, shape) + this.wander(index)), 1);
  }

  private pressure(point: PointSpec, shape: LineShape): number {
    const i = point.segmentIndex;
    if (i > shape.firstClosed) return ISOLATED_BAR;
    const along = (i + 0.5) / this.layout.segments.length;
    const leak = this.leaks.has(i) ? LEAK_DROP_BAR : this.leaks.has(i - 1) ? LEAK_DROP_BAR / 2 : 0;
    return INLET_BAR - LINE_LOSS_BAR * along * shape.throttle ** 2 - leak;
  }

  private flow(point: PointSpec, shape: LineShape): number {
    const i = point.segmentIndex;
    const base = FULL_FLOW_M3H * shape.throttle;
    if (this.leaks.has(i)) return base * (1 + LEAK_FLOW_GAIN);
    return [...this.leaks].some((l) => l < i) ? base * (1 - LEAK_FLOW_GAIN) : base;
  }

  /** Mean-reverting random walk plus white noise, per point. */
  private wander(index: number): number {
    const kind = this.layout.points[index]?.kind === 'flow' ? SIGNAL.flow : SIGNAL.pressure;
    const d = (this.drift[index] ?? 0) * (1 - kind.pull) + kind.walk * this.random.gaussian();
    this.drift[index] = d;
    return d + kind.noise * this.random.gaussian();
  }

  private computeShape(): LineShape {
    let block = 1;
    let firstClosed = Infinity;
    let control = 0;
    let controls = 0;
    for (const v of this.valves.values()) {
      if (v.spec.role === 'block') {
        block = Math.min(block, v.position / 100);
        if (v.position <= 0) firstClosed = Math.min(firstClosed, v.spec.segmentIndex);
      } else if (v.spec.role === 'control') {
        control += v.position / 100;
        controls += 1;
      }
    }
    const opening = controls ? control / controls : 1;
    return { throttle: block * (0.6 + 0.4 * opening), firstClosed };
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
