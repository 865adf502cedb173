import { describe, expect, it } from 'vitest';
import { decodeBlock, encodeBlock, type SampleColumns } from '../../src/main/history/codec';

/*
 * The packed block format for history (#20): lossless for every double, a few bytes a sample
 * for what the field sends. Sizes are measured here on the kinds of signal the issue names,
 * beside the 36 bytes a sample of today's one-row-per-sample store.
 */

/** A deterministic generator, so sizes do not vary from run to run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const T0 = Date.parse('2026-12-01T00:00:00.000Z');

function roundTrip(s: SampleColumns) {
  const bytes = encodeBlock(s);
  const back = decodeBlock(bytes);
  expect(back.ts).toEqual(s.ts);
  expect(back.quality).toEqual(s.quality);
  // Bit for bit, the sign of zero included.
  expect(back.values.length).toBe(s.values.length);
  s.values.forEach((v, i) => expect(Object.is(back.values[i], v), `value ${i}: ${v}`).toBe(true));
  return bytes.length / Math.max(1, s.ts.length);
}

/** A field signal as the simulator and a real transmitter send it: a few decimals, noise, steps, ramps. */
function processSignal(n: number, decimals: number, seed: number): SampleColumns {
  const r = rng(seed);
  const ts: number[] = [];
  const values: number[] = [];
  let level = 40;
  for (let i = 0; i < n; i++) {
    ts.push(T0 + i * 1000 + (r() < 0.05 ? Math.floor(r() * 20) : 0));
    if (i % 300 === 0) level += (r() - 0.5) * 10; // a step
    const ramp = (i % 600) * 0.01;
    const v = level + ramp + (r() - 0.5) * 0.4;
    values.push(Number(v.toFixed(decimals)));
  }
  return { ts, values, quality: values.map(() => 0) };
}

describe('packed sample blocks', () => {
  it('decode to exactly what was encoded: process signals, odd doubles, one sample, none', () => {
    roundTrip({ ts: [], values: [], quality: [] });
    roundTrip({ ts: [T0], values: [41.5], quality: [0] });
    roundTrip({
      ts: [T0, T0, T0 + 1, T0 + 10_000, T0 + 10_001],
      values: [-0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 1e-300],
      quality: [0, 3, 3, 1, 0],
    });
    roundTrip({ ts: [T0, T0 + 5, T0 + 7], values: [0.1 + 0.2, 1 / 3, Math.PI], quality: [0, 0, 0] });
    roundTrip({ ts: [T0, T0 + 1], values: [2 ** 60, -(2 ** 60) + 1], quality: [2, 2] });
    roundTrip(processSignal(5000, 2, 1));
  });

  it('random doubles at random intervals round-trip, at most 12 bytes a sample', () => {
    const r = rng(7);
    const ts: number[] = [];
    const values: number[] = [];
    let t = T0;
    for (let i = 0; i < 5000; i++) {
      t += Math.floor(r() * 100_000);
      ts.push(t);
      values.push((r() - 0.5) * 10 ** Math.floor(r() * 20 - 10));
    }
    const perSample = roundTrip({ ts, values, quality: values.map(() => 0) });
    expect(perSample).toBeLessThanOrEqual(12);
  });

  it.each([1, 2, 3])('a process signal with %i decimals costs under 4 bytes a sample (today: 36)', (decimals) => {
    const perSample = roundTrip(processSignal(3600, decimals, 11 + decimals));
    expect(perSample).toBeLessThan(4);
  });

  it('a value that stays the same costs about two bytes a sample with its time, whatever its decimals', () => {
    const n = 1000;
    const values = Array.from({ length: n }, () => 1 / 3);
    const perSample = roundTrip({
      ts: Array.from({ length: n }, (_, i) => T0 + i * 5000),
      values,
      quality: values.map(() => 0),
    });
    expect(perSample).toBeLessThan(1.5);
  });

  it('refuses what it cannot read, rather than returning wrong samples', () => {
    const bytes = encodeBlock(processSignal(100, 2, 3));
    expect(() => decodeBlock(bytes.slice(0, bytes.length - 3))).toThrow(/ends too soon|quality codes/);
    expect(() => decodeBlock(Uint8Array.of(9))).toThrow(/unknown block format 9/);
    expect(() => encodeBlock({ ts: [1, 2], values: [1], quality: [0, 0] })).toThrow(/different lengths/);
  });
});
