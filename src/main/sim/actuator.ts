import { restingState, STUCK_REASON, type SimValve } from './valve';

export type Outcome = { status: 'completed' } | { status: 'failed'; reason: string };

export interface ActuatorHooks {
  /** The valve's state or position changed: republish it. */
  changed(valve: SimValve): void;
  /** The movement ended, one way or the other: acknowledge the command. */
  finished(valve: SimValve, outcome: Outcome): void;
}

/** How often a moving valve reports its position, like a positioner's update rate. */
const STEP_MS = 250;

/**
 * Moves valves over time: a full stroke takes `strokeMs`, a partial one proportionally
 * less, with the position reported at each step. A valve made sticky does not travel: it
 * sits in `opening` or `closing` for half a stroke, then reports the fault.
 */
export class Actuator {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly strokeMs: number,
    private readonly hooks: ActuatorHooks,
  ) {}

  move(valve: SimValve, target: number): void {
    valve.state = target > valve.position ? 'opening' : 'closing';
    this.hooks.changed(valve);
    if (valve.sticky) return this.later(valve, Math.max(STEP_MS, this.strokeMs / 2), () => this.stick(valve));
    const duration = (this.strokeMs * Math.abs(target - valve.position)) / 100;
    const steps = Math.max(1, Math.ceil(duration / STEP_MS));
    this.step(valve, target, (target - valve.position) / steps, steps, duration / steps);
  }

  /** Cancels every movement in progress (the simulator is stopping); valves stay where they are. */
  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private step(valve: SimValve, target: number, delta: number, left: number, everyMs: number): void {
    this.later(valve, everyMs, () => {
      if (left > 1) {
        valve.position += delta;
        this.hooks.changed(valve);
        return this.step(valve, target, delta, left - 1, everyMs);
      }
      valve.position = target;
      valve.state = restingState(target);
      this.hooks.changed(valve);
      this.hooks.finished(valve, { status: 'completed' });
    });
  }

  private stick(valve: SimValve): void {
    valve.sticky = false;
    valve.state = 'fault';
    valve.fault = STUCK_REASON;
    this.hooks.changed(valve);
    this.hooks.finished(valve, { status: 'failed', reason: STUCK_REASON });
  }

  private later(valve: SimValve, ms: number, fn: () => void): void {
    this.timers.set(
      valve.spec.id,
      setTimeout(() => {
        this.timers.delete(valve.spec.id);
        fn();
      }, ms),
    );
  }
}
