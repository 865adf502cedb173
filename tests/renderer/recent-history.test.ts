import { describe, expect, it } from 'vitest';
import { recordPoints, sparklinePoints } from '../../src/renderer/model/recent-history';
import type { PointView } from '../../src/shared/telemetry';

const point = (id: string, ts: string, value: number | null, kind: PointView['kind'] = 'pressure'): PointView => ({
  id,
  kind,
  unit: 'bar',
  segment: 'seg-01',
  valveId: null,
  value,
  quality: 'good',
  ts,
});

describe('the recent history of segment points', () => {
  it('keeps newer pressure and flow values, and the same record when nothing is kept', () => {
    const one = recordPoints({}, [point('p1', '2026-11-25T10:00:00.000Z', 52)]);
    expect(one.p1).toEqual([{ t: Date.parse('2026-11-25T10:00:00.000Z'), v: 52 }]);
    expect(recordPoints(one, [point('p1', '2026-11-25T10:00:00.000Z', 53)])).toBe(one);
    expect(recordPoints(one, [point('pos', '2026-11-25T10:00:01.000Z', 40, 'position')])).toBe(one);
    expect(recordPoints(one, [point('p1', '2026-11-25T10:00:01.000Z', null)])).toBe(one);
  });

  it('drops values older than the age limit and more than the count limit', () => {
    const limits = { maxAgeMs: 10_000, maxSamples: 3 };
    let series = {};
    for (let s = 0; s < 5; s++) series = recordPoints(series, [point('p1', `2026-11-25T10:00:0${s}.000Z`, s)], limits);
    expect((series as Record<string, { v: number }[]>).p1!.map((x) => x.v)).toEqual([2, 3, 4]);
    series = recordPoints(series, [point('p1', '2026-11-25T10:00:30.000Z', 9)], limits);
    expect((series as Record<string, { v: number }[]>).p1!.map((x) => x.v)).toEqual([9]);
  });

  it('draws a sparkline only from two samples on', () => {
    expect(sparklinePoints([{ t: 0, v: 1 }], 10, 10)).toBe('');
    expect(
      sparklinePoints(
        [
          { t: 0, v: 0 },
          { t: 1, v: 10 },
        ],
        10,
        10,
      ),
    ).toBe('0.0,10.0 10.0,0.0');
  });
});
