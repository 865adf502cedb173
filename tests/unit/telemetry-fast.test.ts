import { describe, expect, it } from 'vitest';
import { quickTelemetry } from '../../src/main/field/sample-check';
import { TelemetryMessage } from '../../src/shared/protocol';

const sample = (over: Record<string, unknown>) => ({ v: 1, ts: '2026-11-25T10:00:00.000Z', value: 12.5, ...over });

describe('the telemetry fast path', () => {
  it('takes exactly what the protocol schema takes', () => {
    const cases: Record<string, unknown>[] = [
      sample({}),
      sample({ quality: 'good' }),
      sample({ quality: 'uncertain' }),
      sample({ quality: 'bad' }),
      sample({ quality: 'stale' }),
      sample({ quality: 'GOOD' }),
      sample({ quality: null }),
      sample({ extra: 'tolerated', seq: 5 }),
      sample({ v: 2 }),
      sample({ v: '1' }),
      sample({ value: '12.5' }),
      sample({ value: null }),
      sample({ value: -0 }),
      sample({ value: 1e308 }),
      sample({ ts: '2026-11-25T10:00:00Z' }),
      sample({ ts: '2026-11-25T10:00:00.123456Z' }),
      sample({ ts: '2026-11-25T10:00:00.000+00:00' }),
      sample({ ts: '2026-11-25T10:00:00.000' }),
      sample({ ts: '2026-11-25 10:00:00.000Z' }),
      sample({ ts: '2024-02-29T10:00:00.000Z' }),
      sample({ ts: '2026-02-29T10:00:00.000Z' }),
      sample({ ts: '2000-02-29T10:00:00.000Z' }),
      sample({ ts: '1900-02-29T10:00:00.000Z' }),
      sample({ ts: '2026-02-30T10:00:00.000Z' }),
      sample({ ts: '2026-04-31T10:00:00.000Z' }),
      sample({ ts: '2026-13-01T10:00:00.000Z' }),
      sample({ ts: '2026-00-10T10:00:00.000Z' }),
      sample({ ts: '2026-11-00T10:00:00.000Z' }),
      sample({ ts: '2026-11-25T24:00:00.000Z' }),
      sample({ ts: '2026-11-25T23:60:00.000Z' }),
      sample({ ts: '2026-11-25T23:59:60.000Z' }),
      sample({ ts: '2026-11-25T10:00:00.Z' }),
      sample({ ts: 1764064800000 }),
      { v: 1, value: 1 },
      { v: 1, ts: '2026-11-25T10:00:00.000Z' },
    ];
    for (const c of cases) {
      const zod = TelemetryMessage.safeParse(structuredClone(c));
      const quick = quickTelemetry(structuredClone(c));
      expect(quick !== null, JSON.stringify(c)).toBe(zod.success);
      if (quick && zod.success) expect(quick).toEqual(zod.data);
    }
  });
});
