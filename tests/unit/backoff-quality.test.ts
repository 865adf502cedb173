import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/main/field/backoff';
import { effectiveQuality } from '../../src/main/field/quality';

describe('reconnect backoff', () => {
  it('grows exponentially from 1 s to a 60 s cap, with full jitter', () => {
    const top = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => 0.999999 });
    expect(Array.from({ length: 9 }, () => top.next())).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
    ]);
    const bottom = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => 0 });
    expect(bottom.next()).toBe(0);
  });

  it('spreads stations out: delays for one attempt are spread over the whole window', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const delays = Array.from({ length: 200 }, () => {
      const b = new Backoff({ baseMs: 1000, capMs: 60_000, random });
      for (let i = 0; i < 5; i++) b.next();
      return b.next(); // sixth attempt: window 0..32 s
    });
    expect(Math.min(...delays)).toBeLessThan(4000);
    expect(Math.max(...delays)).toBeGreaterThan(28_000);
  });

  it('refused credentials wait between half the cap and the cap, every time', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000, random: Math.random });
    for (let i = 0; i < 50; i++) {
      const d = b.slow();
      expect(d).toBeGreaterThanOrEqual(30_000);
      expect(d).toBeLessThanOrEqual(60_000);
    }
  });

  it('starts again from 1 s after a success', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => 0.999999 });
    for (let i = 0; i < 6; i++) b.next();
    b.reset();
    expect(b.next()).toBe(1000);
  });
});

describe('data quality', () => {
  const base = { field: 'good' as const, linkOnline: true, gatewayOnline: true, ageMs: 1000, staleAfterMs: 30_000 };
  it('is what the field said while everything is current', () => {
    expect(effectiveQuality(base)).toBe('good');
    expect(effectiveQuality({ ...base, field: 'uncertain' })).toBe('uncertain');
  });
  it('is stale when the link is down, the gateway is offline, or the value is too old', () => {
    expect(effectiveQuality({ ...base, linkOnline: false })).toBe('stale');
    expect(effectiveQuality({ ...base, gatewayOnline: false })).toBe('stale');
    expect(effectiveQuality({ ...base, ageMs: 30_001 })).toBe('stale');
  });
  it('age does not matter for event-driven values (valve states)', () => {
    expect(effectiveQuality({ ...base, ageMs: null })).toBe('good');
  });
  it('bad from the field wins over stale', () => {
    expect(effectiveQuality({ ...base, field: 'bad', linkOnline: false })).toBe('bad');
  });
});
