import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { HistoryReader } from '../../src/main/history/reader';
import { HistoryRetention } from '../../src/main/history/retention';
import { historyStatus } from '../../src/main/history/status';
import { FINISH_AFTER_MS, HistoryWriter, SEAL_GRACE_MS } from '../../src/main/history/writer';
import { BLOCK_MAX_SAMPLES, BLOCK_WINDOW_MS } from '../../src/main/history/open-block';
import { createLogger } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { storedSamples } from '../helpers/history';
import { tempDir } from '../helpers/tmp';

const log = createLogger({ level: 'error', json: true, sinks: [] });
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-25T10:00:00Z');

async function setup() {
  const dataDir = tempDir();
  const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
  const dir = path.join(dataDir, 'history');
  const open = () => new HistoryWriter({ dir, db: store.db, rawRetentionDays: 7 });
  return { dataDir, dir, store, open };
}

/** Field-like values: a few decimals, noise, a step. */
const value = (i: number) => Math.round((41.5 + Math.sin(i / 40) * 2 + (i > 500 ? 5 : 0)) * 100) / 100;
const samples = (point: string, n: number, from = T0, every = 1000, v = value) =>
  Array.from({ length: n }, (_, i) => ({ point, ts: from + i * every, value: v(i), quality: 0 }));

describe('history files', () => {
  it('stores every sample as sent, in blocks of its window, with a journal for what is not in a block yet', async () => {
    const t = await setup();
    const w = t.open();
    const sent = [...samples('p-1', 1000), ...samples('p-2', 300, T0, 2000, (i) => (i % 7 === 0 ? -0 : i * 0.001))];
    expect(w.write(sent, T0 + 3_600_000)).toEqual({ duplicates: 0, tooOld: 0, rollupProblem: null, damaged: [] });
    const stored = storedSamples(t.dataDir);
    const differ = sent.filter((s) => !Object.is(stored.get(s.point)!.get(s.ts), s.value));
    expect(differ.map((s) => [s.point, s.ts - T0, s.value, stored.get(s.point)!.get(s.ts)])).toEqual([]);
    const db = w['days'].get('2026-11-25')!.file.db;
    // p-1: 1,000 samples a second over 10-minute windows → blocks of 256 plus what is still open.
    const blocks = db.prepare('SELECT n FROM blocks').all() as { n: number }[];
    expect(blocks.every((b) => b.n <= BLOCK_MAX_SAMPLES)).toBe(true);
    expect(blocks.length).toBeGreaterThan(0);
    w.close();
    await t.store.close();
  });

  it('db status counts an open day once: a journal record whose samples are partly in a block already', async () => {
    const t = await setup();
    const w = t.open();
    // One commit across two windows: the first is written out at its end, the record stays for the second.
    const start = T0 - (T0 % BLOCK_WINDOW_MS) + BLOCK_WINDOW_MS - 60_000;
    w.write(samples('p-1', 120, start), start);
    w.sweep(start + 60_000 + SEAL_GRACE_MS + 1);
    const db = w['days'].get('2026-11-25')!.file.db;
    expect(db.prepare('SELECT count(*) FROM blocks').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM journal').pluck().get()).toBe(1);
    expect(historyStatus(t.store.db, t.dataDir).samples).toEqual({ finished: 0, open: 120 });
    w.close();
    await t.store.close();
  });

  it('after a restart the open blocks come back from the journal: a redelivery is a duplicate, nothing is lost', async () => {
    const t = await setup();
    const w1 = t.open();
    w1.write(samples('p-1', 100), T0);
    // A crash: the writer is gone without writing its open blocks out.
    w1.close();
    const w2 = t.open();
    const again = w2.write(samples('p-1', 120), T0);
    expect(again.duplicates).toBe(100);
    expect(storedSamples(t.dataDir).get('p-1')!.size).toBe(120);
    w2.close();
    await t.store.close();
  });

  it('a late sample for a window already written is stored once; its redelivery is found in the written block', async () => {
    const t = await setup();
    const w = t.open();
    w.write(samples('p-1', 600), T0);
    w.sweep(T0 + 2 * BLOCK_WINDOW_MS + SEAL_GRACE_MS);
    // Sent again (a gateway replaying its buffer), and one new sample inside the written span.
    const late = [...samples('p-1', 10), { point: 'p-1', ts: T0 + 500, value: 7.25, quality: 0 }];
    expect(w.write(late, T0 + 3 * BLOCK_WINDOW_MS).duplicates).toBe(10);
    expect(
      storedSamples(t.dataDir)
        .get('p-1')!
        .get(T0 + 500),
    ).toBe(7.25);
    expect(storedSamples(t.dataDir).get('p-1')!.size).toBe(601);
    w.close();
    await t.store.close();
  });

  it('rolls written blocks up into minutes and hours from what is stored, late data merged exactly', async () => {
    const t = await setup();
    const w = t.open();
    const sent = samples('p-1', 7200, T0, 1000); // two hours, one a second
    w.write(sent, T0 + 7200_000);
    w.sweep(T0 + 7200_000 + BLOCK_WINDOW_MS + SEAL_GRACE_MS);
    w.write([{ point: 'p-1', ts: T0 + 30_500, value: 100, quality: 0 }], T0 + 8000_000); // late, into minute 0
    w.sweep(T0 + 8000_000 + BLOCK_WINDOW_MS + SEAL_GRACE_MS);
    const reader = new HistoryReader(t.dir);
    const minutes = reader.rollups('minutes', 'p-1', T0, T0 + 7200_000);
    expect(minutes).toHaveLength(120);
    const first = sent.slice(0, 60).map((s) => s.value);
    expect(minutes[0]).toEqual([T0, first.reduce((a, b) => a + b, 0) + 100, 61, Math.min(...first), 100]);
    const hours = reader.rollups('hours', 'p-1', T0, T0 + 7200_000);
    expect(hours.map((h) => h[2])).toEqual([3601, 3600]);
    reader.close();
    w.close();
    await t.store.close();
  });

  it('rollups behind their blocks (a crash between the two commits) are caught up at the next start', async () => {
    const t = await setup();
    const w = t.open();
    w.write(samples('p-1', 1200, T0, 1000), T0 + 1200_000);
    w.sweep(T0 + 1200_000 + BLOCK_WINDOW_MS + SEAL_GRACE_MS);
    const reader = new HistoryReader(t.dir);
    const before = reader.rollups('minutes', 'p-1', T0, T0 + DAY);
    reader.close();
    w.close();
    // The rollups' commit lost: the minutes file as it was before any block was rolled.
    const Database = (await import('better-sqlite3')).default;
    const m = new Database(path.join(t.dir, '2026-11-25.minutes.db'));
    m.exec('DELETE FROM rollups; DELETE FROM rolled;');
    m.close();
    t.open().close();
    const after = new HistoryReader(t.dir);
    expect(after.rollups('minutes', 'p-1', T0, T0 + DAY)).toEqual(before);
    after.close();
    await t.store.close();
  });

  it('a day is finished once over (catalogued with its samples); late data reopens it, its backup copy then stale', async () => {
    const t = await setup();
    const w = t.open();
    w.write(samples('p-1', 100), T0);
    const dayOver = Date.parse('2026-11-26T00:00:00Z') + FINISH_AFTER_MS;
    w.sweep(dayOver);
    const row = w.catalogue.get('samples', '2026-11-25')!;
    expect(row).toMatchObject({ state: 'finished', samples: 100, first_ts: T0, last_ts: T0 + 99_000 });
    expect(row.bytes).toBe(fs.statSync(path.join(t.dir, '2026-11-25.samples.db')).size);
    expect(w.catalogue.get('minutes', '2026-11-25')!.state).toBe('finished');
    w.catalogue.backedUp('samples', '2026-11-25', new Date().toISOString());
    w.write([{ point: 'p-1', ts: T0 + 200_000, value: 1, quality: 0 }], dayOver);
    expect(w.catalogue.get('samples', '2026-11-25')).toMatchObject({ state: 'open', backed_up_at: null });
    expect(storedSamples(t.dataDir).get('p-1')!.size).toBe(101);
    w.close();
    await t.store.close();
  });

  it('samples older than the raw history kept are counted, not stored', async () => {
    const t = await setup();
    const w = t.open();
    const outcome = w.write([...samples('old', 5, T0 - 9 * DAY), ...samples('new', 5)], T0);
    expect(outcome.tooOld).toBe(5);
    expect([...storedSamples(t.dataDir).keys()]).toEqual(['new']);
    w.close();
    await t.store.close();
  });

  it('retention drops whole files past their retention and their catalogue rows; the rest stays', async () => {
    const t = await setup();
    const w = t.open();
    // Ten days of history, each written on its day.
    for (let d = 9; d >= 0; d--) w.write(samples('p-1', 10, T0 - d * DAY), T0 - d * DAY);
    w.sweep(T0 + 2 * DAY);
    const reader = new HistoryReader(t.dir);
    expect(reader.samples('p-1', T0 - 9 * DAY, T0 - 8 * DAY - 1).ts).toHaveLength(10);
    const retention = new HistoryRetention({
      catalogue: w.catalogue,
      reader,
      drop: (kind, key) => Promise.resolve(w.drop(kind, key)),
      days: { raw: 7, minutes: 8, hours: 8 },
      now: () => T0,
      log,
    });
    // Raw: today and the 7 whole days before it stay (Nov 18 to 25), Nov 16 and 17 go; minutes
    // older than 8 days (Nov 16, wholly before Nov 17 10:00) go; the month's hours stay.
    expect(await retention.run()).toBe(2 + 1);
    const left = fs.readdirSync(t.dir).filter((n) => n.endsWith('.db'));
    expect(left.filter((n) => n.includes('samples'))).toHaveLength(8);
    expect(left.filter((n) => n.includes('minutes'))).toHaveLength(9);
    expect(left.filter((n) => n.includes('hours'))).toEqual(['2026-11.hours.db']);
    expect(w.catalogue.all().filter((r) => r.kind === 'samples')).toHaveLength(8);
    expect(reader.samples('p-1', T0 - 9 * DAY, T0 - 8 * DAY - 1).ts).toEqual([]);
    reader.close();
    w.close();
    await t.store.close();
  });
});

describe('a damaged history file', () => {
  it('is moved aside at the next start and history goes on in a new file; trends read around it', async () => {
    const t = await setup();
    const w1 = t.open();
    w1.write(samples('p-1', 100), T0);
    w1.close();
    const file = path.join(t.dir, '2026-11-25.samples.db');
    // Damaged between runs: its header overwritten.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
    fs.closeSync(fd);
    const reader = new HistoryReader(t.dir);
    expect(reader.samples('p-1', T0, T0 + DAY).ts).toEqual([]);
    const w2 = t.open();
    const outcome = w2.write(samples('p-1', 10, T0 + 200_000), T0 + 300_000);
    expect(outcome.damaged).toEqual([
      expect.objectContaining({
        file: '2026-11-25.samples.db',
        problem: expect.stringMatching(/not a database|malformed/),
      }),
    ]);
    expect(fs.existsSync(outcome.damaged[0]!.movedTo)).toBe(true);
    expect(path.relative(t.dataDir, outcome.damaged[0]!.movedTo)).toMatch(/^quarantine[/\\]history[/\\]/);
    expect(storedSamples(t.dataDir).get('p-1')!.size).toBe(10);
    w2.sweep(T0 + 300_000 + BLOCK_WINDOW_MS + SEAL_GRACE_MS);
    reader.forget('samples', '2026-11-25');
    expect(reader.samples('p-1', T0, T0 + DAY).ts).toHaveLength(10);
    reader.close();
    w2.close();
    await t.store.close();
  });
});
