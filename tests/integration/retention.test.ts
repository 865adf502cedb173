import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { Retention } from '../../src/main/telemetry/retention';
import { createLogger } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { tempDir } from '../helpers/tmp';

const log = createLogger({ level: 'error', json: true, sinks: [{ write: (_r, l) => process.stderr.write(l + '\n') }] });
const MIN = 60_000;
const DAY = 86_400_000;

describe('retention of the rows of schema v8 (before they move into history files)', () => {
  it('deletes raw samples and rollups past their retention in bounded steps, and keeps the rest', async () => {
    const { store } = await openStore({ dataDir: tempDir(), migrations, log, mode: 'station' });
    const now = Date.parse('2026-11-25T10:00:00Z');
    const sample = store.db.prepare("INSERT INTO telemetry_samples VALUES (?, ?, 1, 'good')");
    const rollup = store.db.prepare('INSERT INTO telemetry_rollups VALUES (?, ?, 1, 1, 1, 1, 1)');
    store.db.transaction(() => {
      for (const p of ['a', 'b', 'c']) {
        // 5,000 samples 8 to 9 days old (past 7 days), 100 fresh ones.
        for (let i = 0; i < 5000; i++) sample.run(p, now - 9 * DAY + i * 10_000);
        for (let i = 0; i < 100; i++) sample.run(p, now - i * 1000);
        for (let i = 0; i < 50; i++) rollup.run(p, now - 500 * DAY + i * MIN);
        for (let i = 0; i < 50; i++) rollup.run(p, now - 10 * DAY + i * MIN);
      }
    })();
    const retention = new Retention(store.db, 7, 400, log, () => now);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const deleted = await retention.run();
    clearInterval(ticker);
    expect(deleted).toBe(3 * 5000 + 3 * 50);
    expect(store.db.prepare('SELECT count(*) AS n FROM telemetry_samples').get()).toEqual({ n: 300 });
    expect(store.db.prepare('SELECT min(ts) AS t FROM telemetry_samples').get()).toEqual({ t: now - 99_000 });
    expect(store.db.prepare('SELECT count(*) AS n FROM telemetry_rollups').get()).toEqual({ n: 150 });
    // Steps with the event loop free between them: timers ran while it pruned.
    expect(ticks).toBeGreaterThan(1);
    await store.close();
  });
});
