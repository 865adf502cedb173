import { describe, expect, it } from 'vitest';
import { Cooldown, SlidingWindow } from '../../src/main/actuation/throttle';

describe('the station throttles', () => {
  it('10 a minute means at most 10 in any 60 s, and the wait is exact to the millisecond', () => {
    let now = 0;
    const w = new SlidingWindow(10, 60_000, () => now);
    const taken: number[] = [];
    // An action tried every 100 ms for 3 minutes.
    for (; now <= 180_000; now += 100) if (w.take() === 0) taken.push(now);
    for (const t of taken) expect(taken.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(10);
    // The first 10 at once, then nothing until the first leaves the window, 60 s later.
    expect(taken.slice(0, 11)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 60_000]);
    now = 200_000;
    const fresh = new SlidingWindow(3, 60_000, () => now);
    fresh.take();
    now += 1_234;
    fresh.take();
    fresh.take();
    now += 10_000;
    expect(fresh.take()).toBe(60_000 - 11_234);
    now += 60_000 - 11_234;
    expect(fresh.take()).toBe(0);
  });

  it('a clock that goes back lets nothing out early', () => {
    let now = 100_000;
    const w = new SlidingWindow(1, 60_000, () => now);
    expect(w.take()).toBe(0);
    now = 40_000;
    expect(w.take()).toBe(120_000);
  });

  it('a cooldown per valve', () => {
    let now = 0;
    const c = new Cooldown(5_000, () => now);
    c.mark('v-101');
    now = 2_000;
    expect(c.waitMs('v-101')).toBe(3_000);
    expect(c.waitMs('v-102')).toBe(0);
  });
});
