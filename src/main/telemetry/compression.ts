import type { AlarmDefinition } from '../../shared/limits';

/** A sample kept by exception compression is stored at least this often, however flat the signal. */
export const MAX_GAP_MS = 600_000;

interface Kept {
  ts: number;
  value: number;
  quality: string;
}

interface PointState {
  last: Kept;
  /** The newest sample not stored yet: stored as the corner before the next one that is. */
  held: Kept | null;
}

export type Emit = (pointId: string, ts: number, value: number, quality: string) => void;

/**
 * Optional lossy compression of history, per point, off unless the point's description asks
 * for it (`compression.deviation` in engineering units, as OSIsoft PI's exception deviation): a
 * sample within the deviation of the last one stored is not stored, except the one just before
 * a sample that is (the corner of a step or a ramp), a change of quality, and one at least every
 * ten minutes. Never on a point whose alarms work at a finer resolution than the deviation (an
 * enabled value alarm with a smaller deadband): its history must show what its alarms saw.
 * Live values, alarms and the console always see every sample; only history is thinned.
 */
export class Compression {
  private readonly asked = new Map<string, number>();
  /** Per point with value alarms: the finest deadband among them. */
  private finest = new Map<string, number>();
  private readonly deviation = new Map<string, number>();
  private readonly points = new Map<string, PointState>();
  /** Points that ask for a deviation their alarms do not allow (stored in full), for the status. */
  readonly overruled = new Set<string>();

  /** `counts.compressed`: samples not stored because of a point's deviation (ingest's counters). */
  constructor(private readonly counts: { compressed: number }) {}

  /** A point's description: its deviation, or none (off). */
  describe(pointId: string, deviation: number | null | undefined): void {
    if (deviation && deviation > 0) this.asked.set(pointId, deviation);
    else this.asked.delete(pointId);
    this.update(pointId);
  }

  /** The alarm definitions in force. */
  alarmsChanged(definitions: readonly AlarmDefinition[]): void {
    const finest = new Map<string, number>();
    for (const d of definitions) {
      if (!d.enabled || d.condition === 'quality') continue;
      finest.set(d.point, Math.min(finest.get(d.point) ?? Infinity, d.deadband));
    }
    const touched = new Set([...this.finest.keys(), ...finest.keys()]);
    this.finest = finest;
    for (const id of touched) this.update(id);
  }

  /** Offers a sample; `emit` gets what is to be stored (nothing, the sample, or a corner and the sample). */
  offer(pointId: string, ts: number, value: number, quality: string, emit: Emit): void {
    const d = this.deviation.get(pointId);
    const p = this.points.get(pointId);
    if (d === undefined) {
      // Off (or turned off): what was held goes first.
      if (p?.held) emit(pointId, p.held.ts, p.held.value, p.held.quality);
      this.points.delete(pointId);
      return emit(pointId, ts, value, quality);
    }
    const sample = { ts, value, quality };
    if (!p) {
      this.points.set(pointId, { last: sample, held: null });
      return emit(pointId, ts, value, quality);
    }
    const exception =
      quality !== p.last.quality ||
      Math.abs(value - p.last.value) > d ||
      ts - p.last.ts >= MAX_GAP_MS ||
      ts < p.last.ts;
    if (!exception) {
      if (p.held) this.counts.compressed++;
      p.held = sample;
      return;
    }
    if (p.held) emit(pointId, p.held.ts, p.held.value, p.held.quality);
    p.held = null;
    p.last = sample;
    emit(pointId, ts, value, quality);
  }

  /** The samples held back (each point's newest, not stored yet): trends show them; at stop they are stored. */
  held(pointId?: string): { pointId: string; sample: Kept }[] {
    const out: { pointId: string; sample: Kept }[] = [];
    for (const [id, p] of pointId === undefined ? this.points : [[pointId, this.points.get(pointId)] as const])
      if (p?.held) out.push({ pointId: id, sample: p.held });
    return out;
  }

  /** Stores what is held (the station stops: the last value of each point is kept). */
  drain(emit: Emit): void {
    for (const { pointId, sample } of this.held()) emit(pointId, sample.ts, sample.value, sample.quality);
    for (const p of this.points.values()) p.held = null;
  }

  private update(pointId: string): void {
    const asked = this.asked.get(pointId);
    const finest = this.finest.get(pointId);
    const allowed = asked !== undefined && (finest === undefined || asked <= finest);
    if (asked !== undefined && !allowed) this.overruled.add(pointId);
    else this.overruled.delete(pointId);
    if (allowed) this.deviation.set(pointId, asked);
    // Off from now: what is held goes with the next sample.
    else this.deviation.delete(pointId);
  }
}
