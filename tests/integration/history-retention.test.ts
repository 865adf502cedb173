import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { HistoryReader } from '../../src/main/history/reader';
import { HistoryRetention, minutesKeptFrom, retentionDays } from '../../src/main/history/retention';
import { HistoryWriter } from '../../src/main/history/writer';
import { createLogger } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { Trends } from '../../src/main/telemetry/trends';
import { rollupBucket, rollupKinds } from '../../src/shared/telemetry';
import { tempDir } from '../helpers/tmp';

const log = createLogger({ level: 'error', json: true, sinks: [] });
const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-25T10:20:00Z');
const DAYS = retentionDays({ rawRetentionDays: 7, minuteRetentionDays: 35, rollupRetentionDays: 400 });
/** The oldest time minutes are kept for: 2026-10-21T10:20Z, 20 minutes into an hour. */
const KEPT = minutesKeptFrom(NOW, DAYS);

/** One sample every 30 s from `from` for `hours`, a value that differs each minute. */
function series(from: number, hours: number) {
  return Array.from({ length: hours * 120 }, (_, i) => ({
    point: 'p-1',
    ts: from + i * 30_000,
    value: Math.round((40 + Math.sin(i / 20) * 3) * 100) / 100,
    quality: 0,
  }));
}

function meanByHour(samples: { ts: number; value: number }[], from: number, to: number) {
  const hours = new Map<number, number[]>();
  for (const s of samples) {
    if (s.ts < from || s.ts > to) continue;
    const h = s.ts - (s.ts % HOUR);
    hours.set(h, [...(hours.get(h) ?? []), s.value]);
  }
  return [...hours].map(([h, vs]) => [h, vs.reduce((a, b) => a + b, 0) / vs.length]);
}

describe('history retention by kind', () => {
  it('keeps minutes at least a day longer than raw samples and at most as long as hours', () => {
    expect(DAYS).toEqual({ raw: 7, minutes: 35, hours: 400 });
    expect(retentionDays({ rawRetentionDays: 30, minuteRetentionDays: 10, rollupRetentionDays: 400 }).minutes).toBe(31);
    expect(retentionDays({ rawRetentionDays: 7, minuteRetentionDays: 90, rollupRetentionDays: 60 })).toEqual({
      raw: 7,
      minutes: 60,
      hours: 60,
    });
  });

  it('drops minute files sooner than hour files; trends over a time whose minutes are gone draw hours', async () => {
    const dataDir = tempDir();
    const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
    const dir = path.join(dataDir, 'history');
    // Written as they happened, long ago: a writer that keeps every day.
    const w = new HistoryWriter({ dir, db: store.db, rawRetentionDays: Infinity });
    const old = series(Date.parse('2026-10-01T08:00:00Z'), 4);
    const straddling = series(KEPT - 3 * HOUR - 20 * 60_000, 6);
    for (const s of [old, straddling]) w.write(s, s[0]!.ts);
    w.sweep(NOW);
    const reader = new HistoryReader(dir);
    const retention = new HistoryRetention({
      catalogue: w.catalogue,
      reader,
      drop: (kind, key) => Promise.resolve(w.drop(kind, key)),
      days: DAYS,
      now: () => NOW,
      log,
    });
    await retention.run();
    const left = fs.readdirSync(dir).filter((n) => n.endsWith('.db'));
    // October 1st's minutes are past 35 days; October 20th's end before the cut; 21st's is kept.
    expect(left.filter((n) => n.includes('minutes'))).toEqual(['2026-10-21.minutes.db']);
    expect(left.filter((n) => n.includes('hours')).sort()).toEqual(['2026-10.hours.db']);
    expect(left.filter((n) => n.includes('samples'))).toEqual([]);

    const none = { ts: [], values: [] };
    const trends = new Trends({
      db: store.db,
      history: reader,
      minutesFrom: () => minutesKeptFrom(NOW, DAYS),
      open: () => Promise.resolve(none),
      pending: () => none,
    });
    // Four hours of October 1st: its minutes are gone, its hours drawn instead of nothing.
    const from = old[0]!.ts;
    const gone = await trends.between('p-1', from, from + 4 * HOUR - 1);
    expect(rollupKinds(gone)).toBe('one-hour');
    expect(gone.t.map((t, i) => [t, gone.v[i]!])).toEqual(
      meanByHour(old, from, from + 4 * HOUR - 1).map(([h, m]) => [h, expect.closeTo(m!, 9)]),
    );
    // Across the cut: hours up to the first whole hour after it, minutes from there on, no time twice.
    const a = straddling[0]!.ts;
    const across = await trends.between('p-1', a, a + 6 * HOUR - 1);
    const split = Math.ceil(KEPT / HOUR) * HOUR;
    expect(across.hourlyUntil).toBe(split);
    expect(rollupKinds(across)).toBe('one-hour and one-minute');
    expect([rollupBucket(across, split - 1), rollupBucket(across, split)]).toEqual(['hour', 'minute']);
    // A span wholly within the minutes kept: minutes only, said so.
    const recent = await trends.between('p-1', split, a + 6 * HOUR - 1);
    expect([recent.hourlyUntil, rollupKinds(recent)]).toEqual([undefined, 'one-minute']);
    const steps = across.t.slice(1).map((t, i) => t - across.t[i]!);
    const hourly = across.t.filter((t) => t < split);
    expect(hourly).toEqual([
      a - (a % HOUR),
      a - (a % HOUR) + HOUR,
      a - (a % HOUR) + 2 * HOUR,
      a - (a % HOUR) + 3 * HOUR,
    ]);
    expect(across.t.filter((t) => t >= split)).toHaveLength((a + 6 * HOUR - split) / 60_000);
    expect(steps.slice(0, 4)).toEqual([HOUR, HOUR, HOUR, HOUR]);
    expect(new Set(steps.slice(4))).toEqual(new Set([60_000]));
    reader.close();
    w.close();
    await store.close();
  });
});
