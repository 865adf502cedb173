/** One bucket of a point's samples: what a minute or hour rollup stores. */
export interface Bucket {
  bucket: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  lastTs: number;
  count: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Rolls samples (in any order) into buckets of `size` ms, oldest first. */
export function rollUp(ts: ArrayLike<number>, values: ArrayLike<number>, size: number): Bucket[] {
  const out = new Map<number, Bucket>();
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const v = values[i]!;
    const key = t - (((t % size) + size) % size);
    const b = out.get(key);
    if (!b) {
      out.set(key, { bucket: key, min: v, max: v, sum: v, last: v, lastTs: t, count: 1 });
      continue;
    }
    if (v < b.min) b.min = v;
    if (v > b.max) b.max = v;
    b.sum += v;
    b.count++;
    if (t >= b.lastTs) {
      b.last = v;
      b.lastTs = t;
    }
  }
  return [...out.values()].sort((a, b) => a.bucket - b.bucket);
}
