import type { AlarmPriority } from '../../shared/alarms';
import { limitAlarmId, type AlarmDefinition, type LimitCondition } from '../../shared/limits';

/** A limit alarm raised or cleared, as the alarm service journals it. */
export interface LimitEvent {
  alarmId: string;
  active: boolean;
  definition: AlarmDefinition;
  /** Field time of the sample that decided it (the same on every station that ingests it). */
  ts: number;
  /** The value that decided it (for rate of change: the rate per minute). */
  value: number | null;
  /** Suppressed by design while it is active (the valves named are closed). */
  suppressed: boolean;
  priority: AlarmPriority;
}

type Phase = 'normal' | 'pending_on' | 'active' | 'pending_off';

interface Watch {
  definition: AlarmDefinition;
  phase: Phase;
  /** When the pending phase began (field time). */
  since: number;
  suppressed: boolean;
}

/** Rate of change is measured over this span of samples (and at least half of it). */
const ROC_WINDOW_MS = 60_000;

/**
 * Limit alarms evaluated on the samples a station ingests, the same way on every station:
 * delays run on the samples' field time, so two stations that receive the same samples raise
 * and clear the same alarm at the same instant, with the same event. A value of bad quality
 * neither raises nor clears a limit (the quality alarm speaks instead), and a stale value is
 * judged by the sweep, never by a sample.
 */
export class LimitEvaluator {
  /** Definitions by point, each with where its alarm stands. */
  private readonly watches = new Map<string, Watch[]>();
  /** Recent samples per point with a rate-of-change definition: [ts, value]. */
  private readonly history = new Map<string, [number, number][]>();

  constructor(private readonly suppressed: (d: AlarmDefinition) => boolean) {}

  /**
   * Takes a new definition set. Alarms that stay defined keep where they stand; those whose
   * definition is gone or disabled are returned cleared (at `ts`) if they were active.
   */
  define(definitions: readonly AlarmDefinition[], ts: number): LimitEvent[] {
    const before = new Map([...this.watches.values()].flat().map((w) => [key(w.definition), w]));
    this.watches.clear();
    for (const d of definitions) {
      if (!d.enabled) continue;
      const was = before.get(key(d));
      before.delete(key(d));
      const w: Watch = was
        ? { ...was, definition: d }
        : { definition: d, phase: 'normal', since: 0, suppressed: false };
      let list = this.watches.get(d.point);
      if (!list) this.watches.set(d.point, (list = []));
      list.push(w);
    }
    for (const point of this.history.keys()) if (!this.watchesRoc(point)) this.history.delete(point);
    return [...before.values()]
      .filter((w) => w.phase === 'active' || w.phase === 'pending_off')
      .map((w) => event(w, false, ts, null));
  }

  /** Whether any definition watches this point (the hot path asks this first). */
  watching(point: string): boolean {
    return this.watches.has(point);
  }

  /** A sample of a watched point: the alarms it raises or clears. */
  sample(point: string, ts: number, value: number, quality: string): LimitEvent[] {
    const list = this.watches.get(point);
    if (!list) return [];
    const rate = this.rate(point, ts, value);
    const out: LimitEvent[] = [];
    for (const w of list) {
      const c = w.definition.condition;
      if (c === 'quality') {
        this.step(w, quality === 'bad', quality !== 'bad', ts, value, out);
        continue;
      }
      // Bad values neither raise nor clear a limit; the quality alarm says the value is bad.
      if (quality === 'bad') continue;
      const measured = c === 'roc' ? rate : value;
      if (measured === null) continue;
      this.step(w, beyond(w.definition, measured), within(w.definition, measured), ts, measured, out);
    }
    return out;
  }

  /**
   * Points whose value went stale (no sample in time, the link or the gateway down): their
   * quality alarms raise at `ts` (the station's time); their limit alarms hold where they are.
   */
  stale(point: string, isStale: boolean, ts: number): LimitEvent[] {
    const out: LimitEvent[] = [];
    for (const w of this.watches.get(point) ?? []) {
      if (w.definition.condition !== 'quality') continue;
      if (isStale) this.step(w, true, false, ts, null, out, true);
      else if (w.phase === 'active' || w.phase === 'pending_off') this.step(w, false, true, ts, null, out, true);
    }
    return out;
  }

  /** Every watched point, for the staleness sweep. */
  points(): IterableIterator<string> {
    return this.watches.keys();
  }

  /**
   * One step of a definition's alarm: `over` the condition holds now, `clear` it is gone past
   * the deadband. Delays run on field time; a change of suppression while active is an event too.
   */
  private step(
    w: Watch,
    over: boolean,
    clear: boolean,
    ts: number,
    value: number | null,
    out: LimitEvent[],
    noDelay = false,
  ): void {
    const d = w.definition;
    const onMs = noDelay ? 0 : d.onDelaySec * 1000;
    const offMs = noDelay ? 0 : d.offDelaySec * 1000;
    switch (w.phase) {
      case 'normal':
      case 'pending_on':
        if (!over) {
          w.phase = 'normal';
          return;
        }
        if (w.phase === 'normal') [w.phase, w.since] = ['pending_on', ts];
        if (ts - w.since < onMs) return;
        w.phase = 'active';
        w.suppressed = this.suppressed(d);
        out.push(event(w, true, ts, value));
        return;
      case 'active':
      case 'pending_off': {
        if (!clear) {
          w.phase = 'active';
          const suppressed = this.suppressed(d);
          if (suppressed !== w.suppressed) {
            w.suppressed = suppressed;
            out.push(event(w, true, ts, value));
          }
          return;
        }
        if (w.phase === 'active') [w.phase, w.since] = ['pending_off', ts];
        if (ts - w.since < offMs) return;
        w.phase = 'normal';
        w.suppressed = false;
        out.push(event(w, false, ts, value));
      }
    }
  }

  private watchesRoc(point: string): boolean {
    return (this.watches.get(point) ?? []).some((w) => w.definition.condition === 'roc');
  }

  /** The rate of change per minute over the last minute of samples; null until half a minute is seen. */
  private rate(point: string, ts: number, value: number): number | null {
    if (!this.watchesRoc(point)) return null;
    let h = this.history.get(point);
    if (!h) this.history.set(point, (h = []));
    if (h.length && ts <= h[h.length - 1]![0]) return null;
    h.push([ts, value]);
    while (h.length > 2 && ts - h[1]![0] >= ROC_WINDOW_MS) h.shift();
    const [t0, v0] = h[0]!;
    if (ts - t0 < ROC_WINDOW_MS / 2) return null;
    return ((value - v0) / (ts - t0)) * 60_000;
  }
}

const key = (d: AlarmDefinition) => `${d.point}/${d.condition}`;

function event(w: Watch, active: boolean, ts: number, value: number | null): LimitEvent {
  const d = w.definition;
  return {
    alarmId: limitAlarmId(d.point, d.condition),
    active,
    definition: d,
    ts,
    value,
    suppressed: active && w.suppressed,
    priority: d.priority,
  };
}

/** Whether the measured value is beyond the definition's limit. */
function beyond(d: AlarmDefinition, v: number): boolean {
  const sp = d.setpoint!;
  switch (d.condition as Exclude<LimitCondition, 'quality'>) {
    case 'hh':
    case 'h':
      return v > sp;
    case 'l':
    case 'll':
      return v < sp;
    case 'roc':
      return Math.abs(v) > sp;
    case 'deviation':
      return Math.abs(v - d.target!) > sp;
  }
}

/** Whether the measured value is back inside the limit by the deadband. */
function within(d: AlarmDefinition, v: number): boolean {
  const sp = d.setpoint!;
  const db = d.deadband;
  switch (d.condition as Exclude<LimitCondition, 'quality'>) {
    case 'hh':
    case 'h':
      return v <= sp - db;
    case 'l':
    case 'll':
      return v >= sp + db;
    case 'roc':
      return Math.abs(v) <= sp - db;
    case 'deviation':
      return Math.abs(v - d.target!) <= sp - db;
  }
}
