const MINUTE = 60_000;

export interface Rollup {
  pointId: string;
  bucket: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  count: number;
}

interface Acc {
  bucket: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastTs: number;
}

/**
 * One-minute rollups built as samples arrive: O(1) per sample and no rescans of the raw
 * table. A minute is handed to the writer when its point moves to the next minute, or by
 * `sweep` once the minute is over; a late sample for an older minute is merged by the
 * writer's upsert.
 */
export class RollupAccumulator {
  private readonly acc = new Map<string, Acc>();

  /** Adds a sample; returns the finished minute if this sample starts a new one. */
  add(pointId: string, ts: number, value: number): Rollup | null {
    const bucket = ts - (ts % MINUTE);
    const a = this.acc.get(pointId);
    if (a && a.bucket === bucket) {
      if (value < a.min) a.min = value;
      if (value > a.max) a.max = value;
      a.sum += value;
      a.count++;
      if (ts >= a.lastTs) {
        a.last = value;
        a.lastTs = ts;
      }
      return null;
    }
    if (a && bucket < a.bucket) return { pointId, bucket, min: value, max: value, mean: value, last: value, count: 1 };
    this.acc.set(pointId, { bucket, min: value, max: value, sum: value, count: 1, last: value, lastTs: ts });
    return a ? finish(pointId, a) : null;
  }

  /** Hands over every minute that ended before `now` (minus a grace for late samples). */
  sweep(now: number, graceMs = 5000): Rollup[] {
    const out: Rollup[] = [];
    for (const [pointId, a] of this.acc) {
      if (a.bucket + MINUTE + graceMs <= now) {
        out.push(finish(pointId, a));
        this.acc.delete(pointId);
      }
    }
    return out;
  }

  /** Everything still open, at shutdown. */
  drain(): Rollup[] {
    const out = [...this.acc].map(([id, a]) => finish(id, a));
    this.acc.clear();
    return out;
  }
}

function finish(pointId: string, a: Acc): Rollup {
  return { pointId, bucket: a.bucket, min: a.min, max: a.max, mean: a.sum / a.count, last: a.last, count: a.count };
}
