import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { migrations } from '../../migrations';
import type { Trend } from '../../src/shared/telemetry';
import { IngestCounters } from '../../src/main/field/counters';
import { decodeBlock } from '../../src/main/history/codec';
import { decodeJournal } from '../../src/main/history/journal';
import { createLogger } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { Telemetry } from '../../src/main/telemetry/telemetry';

/** A data folder's history folder (or a history folder itself). */
const historyDirOf = (dir: string) => (path.basename(dir) === 'history' ? dir : path.join(dir, 'history'));

/**
 * Every sample stored in a data folder's history files, read from the files themselves (blocks
 * and the journal of what is not in a block yet), as point → time → value: what the next start
 * would find. `only` picks points by name.
 */
export function storedSamples(
  dir: string,
  only: (point: string) => boolean = () => true,
): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  const historyDir = historyDirOf(dir);
  if (!fs.existsSync(historyDir)) return out;
  for (const name of fs.readdirSync(historyDir).filter((n) => n.endsWith('.samples.db'))) {
    const db = new Database(path.join(historyDir, name), { fileMustExist: true });
    try {
      const names = new Map(
        (db.prepare('SELECT id, name FROM points').all() as { id: number; name: string }[]).map((r) => [r.id, r.name]),
      );
      const put = (point: string, ts: number, value: number) => {
        if (!only(point)) return;
        let m = out.get(point);
        if (!m) out.set(point, (m = new Map()));
        if (!m.has(ts)) m.set(ts, value);
      };
      for (const r of db.prepare('SELECT point, data FROM blocks').iterate() as Iterable<{
        point: number;
        data: Uint8Array;
      }>) {
        const b = decodeBlock(r.data);
        for (let i = 0; i < b.ts.length; i++) put(names.get(r.point)!, b.ts[i]!, b.values[i]!);
      }
      for (const r of db.prepare('SELECT data FROM journal').iterate() as Iterable<{ data: Uint8Array }>) {
        const j = decodeJournal(r.data);
        for (let i = 0; i < j.ts.length; i++) put(names.get(j.points[i]!)!, j.ts[i]!, j.values[i]!);
      }
    } finally {
      db.close();
    }
  }
  return out;
}

/** How many samples are stored (of the points `only` picks). */
export function countSamples(dir: string, only?: (point: string) => boolean): number {
  let n = 0;
  for (const m of storedSamples(dir, only).values()) n += m.size;
  return n;
}

/** The same trends: times, min and max exactly; means within rounding (sums added in another order). */
export function expectSameTrends(actual: Trend[], expected: Trend[], when: string): void {
  expect(
    actual.map((t) => t.source),
    when,
  ).toEqual(expected.map((t) => t.source));
  actual.forEach((a, i) => {
    const e = expected[i]!;
    expect(a.t, `${when}: ${e.pointId} ${e.source} times`).toEqual(e.t);
    expect(a.min, `${when}: min`).toEqual(e.min);
    expect(a.max, `${when}: max`).toEqual(e.max);
    const off = a.v.map((v, j) => Math.abs(v - e.v[j]!)).filter((d) => d > 1e-9);
    expect(off, `${when}: ${e.pointId} ${e.source} values`).toEqual([]);
  });
}

/**
 * A station's store and telemetry on a data folder with the default retention, its clock
 * stopped at `now`: samples on the writer thread as the station runs them, or on this thread.
 */
export async function telemetryStation(dataDir: string, now: number, sink?: 'local') {
  const log = createLogger({ level: 'error', json: true, sinks: [] });
  const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
  const config = {
    siteId: 'north',
    dataDir,
    ingestQueueMax: 100_000,
    rawRetentionDays: 7,
    minuteRetentionDays: 35,
    rollupRetentionDays: 400,
  };
  const counters = new IngestCounters(log, () => now);
  const telemetry = new Telemetry({ config, db: store.db, counters, log, now: () => new Date(now), sink });
  const close = async () => {
    await telemetry.stop([]);
    await store.close();
  };
  return { store, telemetry, close };
}
