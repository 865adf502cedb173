import { describe, expect, it } from 'vitest';
import { AlarmDefinition } from '../../src/shared/limits';
import { Compression, MAX_GAP_MS } from '../../src/main/telemetry/compression';

const T0 = Date.parse('2026-11-25T10:00:00Z');

function run(c: Compression, samples: [number, number, string?][], point = 'p-1') {
  const stored: [number, number, string][] = [];
  for (const [ts, v, q = 'good'] of samples)
    c.offer(point, ts, v, q, (_p, t, value, quality) => stored.push([t, value, quality]));
  return stored;
}

/** Noise of ±0.1 around 40, a step to 45 at sample 300, a ramp from sample 600. */
const signal = Array.from({ length: 900 }, (_, i): [number, number] => [
  T0 + i * 1000,
  Math.round((40 + (i >= 300 ? 5 : 0) + (i >= 600 ? (i - 600) * 0.05 : 0) + Math.sin(i * 7) * 0.1) * 100) / 100,
]);

const limit = (point: string, deadband: number, enabled = true) =>
  AlarmDefinition.parse({
    point,
    condition: 'h',
    setpoint: 50,
    priority: 'high',
    deadband,
    enabled,
    rationalization: { cause: 'c', consequence: 'c', action: 'a', responseMin: 5 },
  });

describe('exception compression of history', () => {
  it('is off unless a point asks for it: every sample stored', () => {
    const c = new Compression({ compressed: 0 });
    expect(run(c, signal)).toHaveLength(signal.length);
  });

  it('with a deviation, stores far fewer samples and every sample is within the deviation of the last one stored', () => {
    const counts = { compressed: 0 };
    const c = new Compression(counts);
    c.describe('p-1', 0.5);
    const stored = run(c, signal);
    expect(stored.length).toBeLessThan(signal.length / 5);
    let k = 0;
    for (const [ts, v] of signal) {
      while (k + 1 < stored.length && stored[k + 1]![0] <= ts) k++;
      expect(Math.abs(v - stored[k]![1])).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    // The corner before the step is kept: the step is drawn where it happened.
    expect(stored.map((s) => s[0])).toEqual(expect.arrayContaining([T0 + 299_000, T0 + 300_000]));
    expect(counts.compressed).toBe(signal.length - stored.length - c.held().length);
  });

  it('a change of quality is stored, and a flat signal at least every ten minutes', () => {
    const c = new Compression({ compressed: 0 });
    c.describe('p-1', 1);
    const flat = Array.from({ length: 1300 }, (_, i): [number, number, string] => [
      T0 + i * 1000,
      10,
      i === 700 ? 'uncertain' : 'good',
    ]);
    const stored = run(c, flat);
    expect(stored.some(([, , q]) => q === 'uncertain')).toBe(true);
    for (let i = 1; i < stored.length; i++) expect(stored[i]![0] - stored[i - 1]![0]).toBeLessThanOrEqual(MAX_GAP_MS);
  });

  it('never on a point whose alarms work at a finer resolution than the deviation', () => {
    const c = new Compression({ compressed: 0 });
    c.describe('p-1', 0.5);
    c.alarmsChanged([limit('p-1', 0.2)]);
    expect(run(c, signal)).toHaveLength(signal.length);
    expect([...c.overruled]).toEqual(['p-1']);
    // A coarser deadband (or a disabled alarm) allows it again.
    c.alarmsChanged([limit('p-1', 1)]);
    expect(c.overruled.size).toBe(0);
    expect(run(c, signal).length).toBeLessThan(signal.length / 5);
    c.alarmsChanged([limit('p-1', 0, false)]);
    expect(c.overruled.size).toBe(0);
  });

  it('what is held back is stored when the station stops, or when compression is turned off', () => {
    const c = new Compression({ compressed: 0 });
    c.describe('p-1', 5);
    const stored = run(c, signal.slice(0, 10));
    expect(stored).toHaveLength(1);
    const drained: number[] = [];
    c.drain((_p, ts) => drained.push(ts));
    expect(drained).toEqual([T0 + 9000]);

    c.describe('p-1', 5);
    run(c, signal.slice(10, 20));
    c.describe('p-1', null);
    const after = run(c, signal.slice(20, 21));
    expect(after.map((s) => s[0])).toEqual([T0 + 19_000, T0 + 20_000]);
  });
});
