import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { IngestCounters } from '../../src/main/field/counters';
import { WorkerSampleSink } from '../../src/main/telemetry/sample-sink';
import { TelemetryWriter } from '../../src/main/telemetry/writer';
import { createLogger, memorySink } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

async function setup() {
  const sink = memorySink();
  const log = createLogger({ level: 'warn', json: true, sinks: [sink] });
  const { store } = await openStore({ dataDir: tempDir(), migrations, log, mode: 'station' });
  store.db.prepare("INSERT INTO sites VALUES ('north', 'north', 0, 'now')").run();
  const counters = new IngestCounters(log, () => Date.now());
  const committed: number[] = [];
  const thread = WorkerSampleSink.start(store.db.name, log);
  const writer = new TelemetryWriter({ db: store.db, siteId: 'north', queueMax: 200_000, counters, log, sink: thread });
  writer.onCommitted((n) => committed.push(n));
  const rows = () => (store.db.prepare('SELECT count(*) AS n FROM telemetry_samples').get() as { n: number }).n;
  return { store, counters, committed, thread, writer, rows, lines: sink.lines };
}

const base = Date.parse('2026-11-25T10:00:00Z');

describe('the writer thread', () => {
  it('commits samples off the main thread; acknowledgements wait for it, state is written at once', async () => {
    const t = await setup();
    for (let i = 0; i < 30_000; i++) t.writer.addSample(`p-${i % 500}`, base + i, i, 'good');
    t.writer.addRollups([{ pointId: 'p-1', bucket: base, min: 1, max: 2, mean: 1.5, last: 2, count: 2 }]);
    expect(t.writer.flush()).toBe(true);
    // Nothing is durable yet: the thread has the first batch.
    expect(t.committed.at(-1) ?? 0).toBe(0);
    await waitFor(() => t.writer.idle, 'all written');
    expect(t.rows()).toBe(30_000);
    expect(t.counters.written).toBe(30_000);
    expect(t.committed.at(-1)).toBe(t.writer.sequence);
    expect(t.store.db.prepare('SELECT count FROM telemetry_rollups').get()).toEqual({ count: 2 });
    await t.thread.close();
    await t.store.close();
  });

  it('a sample repeated at the same point and time is counted as a duplicate; the first is kept', async () => {
    const t = await setup();
    // 200 samples of which 64 + 1 repeat an earlier point and time with another value.
    for (let i = 0; i < 135; i++) t.writer.addSample(`p-${i % 5}`, base + i, i, 'good');
    for (let i = 0; i < 65; i++) t.writer.addSample(`p-${i % 5}`, base + i, -1, 'good');
    t.writer.flush();
    await waitFor(() => t.writer.idle, 'all written');
    expect(t.rows()).toBe(135);
    expect(t.counters.written).toBe(135);
    expect(t.counters.duplicates).toBe(65);
    expect(t.store.db.prepare('SELECT count(*) AS n FROM telemetry_samples WHERE value = -1').get()).toEqual({ n: 0 });
    await t.thread.close();
    await t.store.close();
  });

  it('a failed batch is kept and retried as it was; nothing is acknowledged until it is durable', async () => {
    const t = await setup();
    t.store.db.exec(
      "CREATE TRIGGER fail BEFORE INSERT ON telemetry_samples BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    for (let i = 0; i < 100; i++) t.writer.addSample('p-1', base + i, i, 'good');
    t.writer.flush();
    await waitFor(() => t.counters.writeErrors >= 1, 'the failure counted');
    expect(t.committed.every((n) => n === 0)).toBe(true);
    t.store.db.exec('DROP TRIGGER fail');
    await waitFor(() => t.writer.idle, 'written on retry', 5_000);
    expect(t.rows()).toBe(100);
    expect(t.committed.at(-1)).toBe(100);
    expect(t.lines.some((l) => l.includes('writing samples failed'))).toBe(true);
    await t.thread.close();
    await t.store.close();
  });

  it('if the thread dies, the writer goes on by itself and loses nothing', async () => {
    const t = await setup();
    for (let i = 0; i < 5_000; i++) t.writer.addSample(`p-${i % 50}`, base + i, i, 'good');
    await t.thread.close(); // the thread is gone before it wrote anything
    t.writer.flush();
    await waitFor(() => t.writer.idle, 'written on the main thread', 10_000);
    expect(t.rows()).toBe(5_000);
    expect(t.committed.at(-1)).toBe(t.writer.sequence);
    await t.store.close();
  });

  it('latest point values go with a batch: the store has them for the next start', async () => {
    const t = await setup();
    t.store.db
      .prepare("INSERT INTO telemetry_points (id, site_id, kind, unit) VALUES ('p-1', 'north', 'pressure', 'bar')")
      .run();
    expect(t.writer.addLatest([['p-1', 42.5, 'good', base]])).toBe(true);
    await waitFor(() => t.writer.idle, 'written');
    expect(
      t.store.db.prepare("SELECT last_value, last_quality, last_ts FROM telemetry_points WHERE id = 'p-1'").get(),
    ).toEqual({
      last_value: 42.5,
      last_quality: 'good',
      last_ts: base,
    });
    await t.thread.close();
    await t.store.close();
  });
});
