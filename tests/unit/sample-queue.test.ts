import { describe, expect, it } from 'vitest';
import { SampleQueue } from '../../src/main/telemetry/sample-queue';

describe('the sample queue', () => {
  it('keeps order across drops, takes and compaction, and numbers each point once', () => {
    const q = new SampleQueue();
    for (let i = 1; i <= 200_000; i++) q.push(`p-${i % 7}`, 1_000 + i, i / 2, i % 3 ? 'good' : 'bad', i);
    expect(q.names).toHaveLength(7);
    q.drop(50_000);
    expect(q.firstSeq()).toBe(50_001);
    const seen: number[] = [];
    while (q.length) {
      const run = q.take(20_000);
      for (let k = 0; k < run.count; k++) seen.push(run.ts[k]! - 1_000);
      expect(run.last - run.first + 1).toBe(run.count);
      expect(q.names[run.pidx[0]!]).toBe(`p-${run.first % 7}`);
      expect(run.q[0]).toBe(run.first % 3 ? 0 : 2);
    }
    expect(seen).toHaveLength(150_000);
    expect(seen[0]).toBe(50_001);
    expect(seen.every((v, i) => i === 0 || v === seen[i - 1]! + 1)).toBe(true);
    expect(q.firstSeq()).toBeUndefined();
    expect(q.take(10).count).toBe(0);
  });
});
