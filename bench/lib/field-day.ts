/**
 * Telemetry as a field sends it, generated on a virtual clock so hours of it can be sent in
 * seconds (the disk bench, bench/disk.ts). Deterministic: the publisher process and the bench
 * generate the same samples, the bench to know which sample time a count of written samples
 * has reached and to check every value read back.
 *
 * - `process`: the simulator's process signals as `plainview sim` sends them with its
 *   defaults (24 valves, 2 gateways: 32 points, 20 samples a second over all of them). Values
 *   from the simulator's own line model (src/main/sim/line-model.ts: pressure and flow with a
 *   slow wander and noise, valve positions) and stamped as its telemetry feed stamps them
 *   (src/main/sim/telemetry.ts: a batch every 100 ms, points in turn, the batch's time on every
 *   sample of it), each batch 0 to 2 ms late as a Node timer is. Steps and ramps: every
 *   20 minutes a control valve strokes to a new opening, every 4 hours a block valve closes for
 *   30 minutes, moving as the simulator's actuator moves them (4 s a full stroke, a new position
 *   every 250 ms), and the line model follows.
 * - `random`: the same 32 points, each at random intervals (1 ms to 3.2 s, 1.6 s on average)
 *   with random doubles (uniform in ±1,000, every bit of the mantissa random): the worst case
 *   for any packing.
 */
import { buildLayout, type PointSpec } from '../../src/main/sim/layout';
import { LineModel } from '../../src/main/sim/line-model';
import { seededRandom, type Random } from '../../src/main/sim/random';
import { newValve, restingState, type SimValve } from '../../src/main/sim/valve';

export type FieldKind = 'process' | 'random';

/** One sample: its point (index into `fieldPoints()`), time, and value as the JSON text sent. */
export interface FieldSample {
  point: number;
  ts: number;
  value: string;
}

/** `plainview sim` defaults. */
export const SIM_VALVES = 24;
export const SIM_GATEWAYS = 2;
export const SIM_RATE = 20;
const TICK_MS = 100;
const STROKE_MS = 4_000;
const STEP_MS = 250;

export function fieldPoints(): PointSpec[] {
  return buildLayout(SIM_VALVES, SIM_GATEWAYS).points;
}

/** Every sample of [from, to), in the order they are sent. */
export function* fieldSamples(kind: FieldKind, from: number, to: number): Generator<FieldSample> {
  yield* kind === 'process' ? processSignals(from, to) : randomDoubles(from, to);
}

function* processSignals(from: number, to: number): Generator<FieldSample> {
  const layout = buildLayout(SIM_VALVES, SIM_GATEWAYS);
  const valves = new Map(layout.valves.map((spec) => [spec.id, newValve(spec)]));
  let now = from;
  const model = new LineModel(layout, valves, seededRandom(1), () => now);
  const late = seededRandom(2);
  const moves = new Moves([...valves.values()], model, seededRandom(3), from);
  const n = layout.points.length;
  let cursor = 0;
  let sent = 0;
  for (let tick = 1; from + tick * TICK_MS < to; tick++) {
    now = from + tick * TICK_MS + Math.floor(late.next() * 3);
    moves.at(now);
    const count = Math.floor((SIM_RATE * tick * TICK_MS) / 1000) - sent;
    sent += count;
    for (let i = 0; i < count; i++) {
      yield { point: cursor, ts: now + Math.floor(i / n), value: JSON.stringify(model.value(cursor)) };
      cursor = (cursor + 1) % n;
    }
  }
}

function* randomDoubles(from: number, to: number): Generator<FieldSample> {
  const n = fieldPoints().length;
  const r = seededRandom(4);
  const gap = () => 1 + Math.floor(r.next() * 3_199);
  const next = Array.from({ length: n }, () => from + gap());
  for (;;) {
    let p = 0;
    for (let i = 1; i < n; i++) if (next[i]! < next[p]!) p = i;
    const ts = next[p]!;
    if (ts >= to) return;
    next[p] = ts + gap();
    // Two draws for 53 random bits: one uniform double has only 32 here.
    const value = (r.next() + r.next() / 2 ** 32 - 0.5) * 2_000;
    yield { point: p, ts, value: JSON.stringify(value) };
  }
}

interface Move {
  valve: SimValve;
  from: number;
  to: number;
  start: number;
  steps: number;
  everyMs: number;
}

/**
 * The valve movements that give the signals their steps and ramps, moved as the simulator's
 * actuator moves a valve (src/main/sim/actuator.ts): `steps` equal steps over the stroke.
 */
class Moves {
  private readonly controls: SimValve[];
  private readonly blocks: SimValve[];
  private moving: Move[] = [];
  private nextControl: number;
  private nextBlock: number;
  private reopen: { valve: SimValve; at: number } | null = null;

  constructor(
    valves: SimValve[],
    private readonly model: LineModel,
    private readonly random: Random,
    from: number,
  ) {
    this.controls = valves.filter((v) => v.spec.role === 'control');
    this.blocks = valves.filter((v) => v.spec.role === 'block');
    this.nextControl = from + 20 * 60_000;
    this.nextBlock = from + 4 * 3_600_000;
  }

  at(now: number): void {
    if (now >= this.nextControl) {
      const valve = this.controls[Math.floor(this.random.next() * this.controls.length)]!;
      this.start(valve, 40 + Math.round(this.random.next() * 40), this.nextControl);
      this.nextControl += 20 * 60_000;
    }
    if (now >= this.nextBlock) {
      const valve = this.blocks[Math.floor(this.random.next() * this.blocks.length)]!;
      this.start(valve, 0, this.nextBlock);
      this.reopen = { valve, at: this.nextBlock + 30 * 60_000 };
      this.nextBlock += 4 * 3_600_000;
    }
    if (this.reopen && now >= this.reopen.at) {
      this.start(this.reopen.valve, 100, this.reopen.at);
      this.reopen = null;
    }
    for (const m of this.moving) this.step(m, now);
    this.moving = this.moving.filter((m) => m.valve.position !== m.to);
  }

  private start(valve: SimValve, target: number, at: number): void {
    if (Math.abs(target - valve.position) < 0.5 || this.moving.some((m) => m.valve === valve)) return;
    const duration = (STROKE_MS * Math.abs(target - valve.position)) / 100;
    const steps = Math.max(1, Math.ceil(duration / STEP_MS));
    valve.state = target > valve.position ? 'opening' : 'closing';
    this.moving.push({ valve, from: valve.position, to: target, start: at, steps, everyMs: duration / steps });
  }

  private step(m: Move, now: number): void {
    const k = Math.min(m.steps, Math.floor((now - m.start) / m.everyMs));
    const position = k >= m.steps ? m.to : m.from + ((m.to - m.from) / m.steps) * k;
    if (position === m.valve.position) return;
    m.valve.position = position;
    if (position === m.to) m.valve.state = restingState(position);
    this.model.invalidate();
  }
}
