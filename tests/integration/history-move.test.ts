import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { HistoryReader } from '../../src/main/history/reader';
import { migrate, openConnection } from '../../src/main/store';
import type { Telemetry } from '../../src/main/telemetry/telemetry';
import type { Trend } from '../../src/shared/telemetry';
import { expectSameTrends, storedSamples, telemetryStation } from '../helpers/history';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

/*
 * The move of schema v8's telemetry rows into history files (src/main/history/move-rows.ts),
 * on the writer thread as the station runs it: trends the same before, during and after, a
 * stop half-way resumed at the next start, a crash between a slice's two commits (the files
 * written, the rows not yet deleted) neither losing nor counting anything twice.
 */

const NOW = Date.parse('2026-11-25T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const POINTS = ['p-1/pressure', 'p-2/flow', 'p-3/temperature'];
const SLICE = 2000;

/** A v8 database: raw rows for the last 30 hours (and some past retention), minute rollups for 10 days. */
function v8Store(dataDir: string): { samples: number; rollups: number } {
  const db = openConnection(path.join(dataDir, 'plainview.db'));
  migrate(db, migrations, 8);
  const sample = db.prepare("INSERT INTO telemetry_samples VALUES (?, ?, ?, 'good')");
  const rollup = db.prepare('INSERT INTO telemetry_rollups VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    POINTS.forEach((p, k) => {
      for (let t = NOW - 30 * HOUR; t < NOW - HOUR; t += 6000)
        sample.run(p, t, Math.round((40 + k + Math.sin(t / 600_000) * 3) * 100) / 100);
      for (let i = 0; i < 100; i++) sample.run(p, NOW - 10 * DAY + i * 1000, 1);
      // Counts and means of their own (v8 counted duplicates; its rollups are the record).
      for (let t = NOW - 10 * DAY, i = 0; t < NOW - HOUR; t += 60_000, i++) {
        const mean = 40 + k + Math.sin(i / 50);
        rollup.run(p, t, mean - 1, mean + 1, mean, mean + 0.5, 5 + (i % 7));
      }
      for (let i = 0; i < 50; i++) rollup.run(p, NOW - 500 * DAY + i * 60_000, 1, 1, 1, 1, 1);
    });
  })();
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const out = { samples: count('telemetry_samples'), rollups: count('telemetry_rollups') };
  db.close();
  return out;
}

/** The writer thread, as the station runs it: the move is one of its requests. */
const station = (dataDir: string) => telemetryStation(dataDir, NOW);

/** Raw (2 hours), minutes (2 days) and hours (10 days) of every point. */
async function trends(t: Telemetry): Promise<Trend[]> {
  const out: Trend[] = [];
  for (const p of POINTS) {
    out.push(await t.trends.between(p, NOW - 26 * HOUR, NOW - 24 * HOUR));
    out.push(await t.trends.between(p, NOW - 3 * HOUR, NOW - HOUR));
    out.push(await t.trends.between(p, NOW - 2 * DAY, NOW));
    out.push(await t.trends.between(p, NOW - 10 * DAY, NOW));
  }
  return out;
}

const left = (db: import('better-sqlite3').Database) =>
  db
    .prepare('SELECT (SELECT count(*) FROM telemetry_samples) + (SELECT count(*) FROM telemetry_rollups)')
    .pluck()
    .get() as number;

describe('moving the v8 telemetry rows into history files', () => {
  it('keeps trends the same before, during and after, survives a stop half-way, and leaves the v8 tables empty', async () => {
    const dataDir = tempDir();
    const rows = v8Store(dataDir);
    let s = await station(dataDir);
    const before = await trends(s.telemetry);
    expect(before.every((t) => t.t.length > 0)).toBe(true);

    // One slice: samples of the first point in a file, the rest still rows.
    const first = await s.telemetry.migration.step();
    expect(first).toMatchObject({ more: true, moved: SLICE - 100, pastRetention: 100 });
    expectSameTrends(await trends(s.telemetry), before, 'after one slice');
    for (let i = 0; i < 5; i++) await s.telemetry.migration.step();
    expectSameTrends(await trends(s.telemetry), before, 'after six slices');
    // Days over are finished by the sweep; the next slices reopen them.
    await s.telemetry.sweep();

    // Stopped half-way (a station stopped, or killed: each slice is whole in its files first).
    await s.close();
    s = await station(dataDir);
    expect(left(s.store.db)).toBeGreaterThan(0);
    expectSameTrends(await trends(s.telemetry), before, 'after a restart half-way');
    let slices = 0;
    while ((await s.telemetry.migration.step()).more) slices++;
    expect(slices).toBeGreaterThan(10);
    expectSameTrends(await trends(s.telemetry), before, 'after the move');

    expect(left(s.store.db)).toBe(0);
    const meta = (key: string) => s.telemetry.catalogue.meta(key);
    expect(meta('moved_samples')).toBe(rows.samples - 300);
    expect(meta('moved_rollups')).toBe(rows.rollups - 150);
    expect(meta('moved_at')).toBe(new Date(NOW).toISOString());
    await s.close();

    // Another start: the moved blocks are never rolled up (the catch-up of open days skips them).
    s = await station(dataDir);
    await s.telemetry.sweep();
    expectSameTrends(await trends(s.telemetry), before, 'after another start');
    const stored = storedSamples(dataDir);
    expect([...stored.values()].map((m) => m.size)).toEqual(POINTS.map(() => (rows.samples - 300) / 3));
    await s.close();
  }, 60_000);

  it('runs by itself once the station has started, until no row is left', async () => {
    const dataDir = tempDir();
    v8Store(dataDir);
    const s = await station(dataDir);
    s.telemetry.start();
    await waitFor(() => s.telemetry.catalogue.meta('moved_at'), 'every v8 row moved', 60_000);
    expect(left(s.store.db)).toBe(0);
    await s.close();
  }, 90_000);

  it('a crash between the files and the delete: trends count nothing twice, the redone slice moves nothing twice', async () => {
    const dataDir = tempDir();
    const rows = v8Store(dataDir);
    const s = await station(dataDir);
    const db = s.store.db;
    const samplesSlice = db.prepare('SELECT * FROM telemetry_samples ORDER BY point_id, ts LIMIT ?');
    const rollupsSlice = db.prepare('SELECT * FROM telemetry_rollups ORDER BY point_id, bucket LIMIT ?');
    const putBack = (table: string, list: unknown[]) => {
      const insert = db.prepare(
        `INSERT INTO ${table} VALUES (${table.endsWith('samples') ? '?, ?, ?, ?' : '?, ?, ?, ?, ?, ?, ?'})`,
      );
      db.transaction(() => list.forEach((r) => insert.run(Object.values(r as object))))();
    };

    // A live sample for a time v8 stored (a gateway sending its buffer again at the upgrade).
    const again = db
      .prepare('SELECT ts, value FROM telemetry_samples WHERE point_id = ? ORDER BY ts DESC')
      .get(POINTS[0]) as { ts: number; value: number };
    s.telemetry.record(POINTS[0]!, again.ts, again.value, 'good');
    expect(await s.telemetry.writer.drain()).toBe(true);
    // (Rolled up as it arrived, as v8 did with what it was sent twice: trends from here on.)
    const before = await trends(s.telemetry);

    // Samples: the slice's files committed, its delete lost (the rows put back as they were).
    await s.telemetry.migration.step();
    const crashed = samplesSlice.all(SLICE);
    await s.telemetry.migration.step();
    putBack('telemetry_samples', crashed);
    expectSameTrends(await trends(s.telemetry), before, 'samples in both');
    const redone = await s.telemetry.migration.step();
    expect(redone).toMatchObject({ moved: 0, already: SLICE });

    const samplesLeft = db.prepare('SELECT count(*) FROM telemetry_samples').pluck();
    let already = 0;
    while ((samplesLeft.get() as number) > 0) already += (await s.telemetry.migration.step()).already;
    // The sample sent again is stored once.
    expect(already).toBe(1);

    // Rollups: the same, twice over (minutes and hours files each keep their mark).
    await s.telemetry.migration.step();
    const crashedRollups = rollupsSlice.all(SLICE);
    await s.telemetry.migration.step();
    putBack('telemetry_rollups', crashedRollups);
    expectSameTrends(await trends(s.telemetry), before, 'rollups in both');
    while ((await s.telemetry.migration.step()).more);
    expectSameTrends(await trends(s.telemetry), before, 'after the move');

    // Counts exact: every v8 sample within retention once; every minute's count as v8 had it.
    const stored = storedSamples(dataDir);
    expect([...stored.values()].reduce((n, m) => n + m.size, 0)).toBe(rows.samples - 300);
    const reader = new HistoryReader(path.join(dataDir, 'history'));
    for (const p of POINTS) {
      const v8 = before.find((t) => t.pointId === p && t.t.length > 1000 && t.source === 'rollup')!;
      const minutes = reader.rollups('minutes', p, NOW - 2 * DAY, NOW);
      expect(minutes.map((m) => m[0])).toEqual(v8.t);
    }
    const counts = (p: string, kind: 'minutes' | 'hours') =>
      reader.rollups(kind, p, NOW - 11 * DAY, NOW).reduce((n, m) => n + m[2], 0);
    let n = 0;
    for (let t = NOW - 10 * DAY, i = 0; t < NOW - HOUR; t += 60_000, i++) n += 5 + (i % 7);
    const expected = POINTS.map(() => n);
    expect(POINTS.map((p) => counts(p, 'minutes'))).toEqual(expected);
    expect(POINTS.map((p) => counts(p, 'hours'))).toEqual(expected);
    reader.close();
    await s.close();
  }, 60_000);
});
