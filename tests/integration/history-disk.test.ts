import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { HistoryWriter } from '../../src/main/history/writer';
import { createLogger } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { tempDir } from '../helpers/tmp';

/*
 * What history costs on disk, measured on files the history writer made and finished
 * (DEPLOYMENT.md, "Disk per station"): 5 points at one sample a second for a day, each a
 * process signal as the field sends it (2 decimals, a slow wave, noise, rare steps, a few
 * milliseconds of jitter), written in one-minute commits with the sweeps of a running station.
 * Measured here: 2.7 bytes a sample for the samples file (block data 2.1, the rest block rows,
 * their index and the pages the journal left free), 70 bytes a minute rollup row.
 */

const log = createLogger({ level: 'error', json: true, sinks: [] });
const DAY0 = Date.parse('2026-11-24T00:00:00Z');
const POINTS = 5;
const HOURS = 24;

/** A small deterministic generator (xorshift), so the figures do not move from run to run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % 1_000_000) / 1_000_000;
  };
}

describe('history on disk', () => {
  it('costs under 3 bytes a sample and about 70 bytes a minute rollup', async () => {
    const dataDir = tempDir();
    const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
    const dir = path.join(dataDir, 'history');
    const w = new HistoryWriter({ dir, db: store.db, rawRetentionDays: 7 });
    const rnd = random(42);
    const steps = new Array<number>(POINTS).fill(0);
    let n = 0;
    for (let t = DAY0; t < DAY0 + HOURS * 3_600_000; t += 60_000) {
      const batch = [];
      for (let s = t; s < t + 60_000; s += 1000)
        for (let p = 0; p < POINTS; p++) {
          if (rnd() < 0.0005) steps[p]! += (rnd() - 0.5) * 10;
          const v = 40 + (p % 10) + Math.sin(s / 900_000 + p) * 2 + steps[p]! + (rnd() - 0.5) * 0.3;
          batch.push({
            point: `gw-1/p-${p}/pressure`,
            ts: s + Math.floor(rnd() * 3),
            value: Math.round(v * 100) / 100,
            quality: 0,
          });
          n++;
        }
      w.write(batch, DAY0 + 86_400_000);
      if ((t - DAY0) % 600_000 === 0) w.sweep(t);
    }
    // The day over: everything in blocks and rolled up, the files finished.
    w.sweep(DAY0 + 2 * 86_400_000);
    w.close();
    const size = (name: string) => fs.statSync(path.join(dir, name)).size;
    const perSample = size('2026-11-24.samples.db') / n;
    const perMinute = size('2026-11-24.minutes.db') / (POINTS * HOURS * 60);
    expect(perSample).toBeGreaterThan(2);
    expect(perSample).toBeLessThan(3);
    expect(perMinute).toBeGreaterThan(50);
    expect(perMinute).toBeLessThan(80);
    await store.close();
  }, 60_000);
});
