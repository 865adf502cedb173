import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { IngestCounters } from '../../src/main/field/counters';
import { HistoryFile } from '../../src/main/history/file';
import { LocalSampleSink, WorkerSampleSink } from '../../src/main/telemetry/sample-sink';
import { TelemetryWriter } from '../../src/main/telemetry/writer';
import { createLogger, memorySink } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { countSamples, storedSamples } from '../helpers/history';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const base = Date.parse('2026-11-25T10:00:00Z');

async function setup() {
  const sink = memorySink();
  const log = createLogger({ level: 'warn', json: true, sinks: [sink] });
  const dataDir = tempDir();
  const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
  store.db.prepare("INSERT INTO sites VALUES ('north', 'north', 0, 'now')").run();
  const counters = new IngestCounters(log, () => Date.now());
  const committed: number[] = [];
  const host = { historyDir: path.join(dataDir, 'history'), rawRetentionDays: 7 };
  const thread = WorkerSampleSink.start({ ...host, file: store.db.name }, log);
  const writer = new TelemetryWriter({
    db: store.db,
    siteId: 'north',
    queueMax: 200_000,
    counters,
    log,
    sink: thread,
    fallback: () => new LocalSampleSink({ ...host, db: store.db }),
    now: () => base + 3_600_000,
    onDamage: () => undefined,
  });
  writer.onCommitted((n) => committed.push(n));
  return {
    dataDir,
    store,
    counters,
    committed,
    thread,
    writer,
    lines: sink.lines,
    stored: () => countSamples(dataDir),
  };
}

describe('the writer thread', () => {
  it('commits samples to the history files off the main thread; acknowledgements wait for it', async () => {
    const t = await setup();
    for (let i = 0; i < 30_000; i++) t.writer.addSample(`p-${i % 500}`, base + i, i, 'good');
    expect(t.writer.flush()).toBe(true);
    // Nothing is durable yet: the thread has the first batch.
    expect(t.committed.at(-1) ?? 0).toBe(0);
    await waitFor(() => t.writer.idle, 'all written');
    expect(t.stored()).toBe(30_000);
    expect(t.counters.written).toBe(30_000);
    expect(t.committed.at(-1)).toBe(t.writer.sequence);
    await t.thread.close();
    await t.store.close();
  });

  it('a sample repeated at the same point and time is counted as a duplicate; the first is kept', async () => {
    const t = await setup();
    // 200 samples of which 65 repeat an earlier point and time with another value.
    for (let i = 0; i < 135; i++) t.writer.addSample(`p-${i % 5}`, base + i, i, 'good');
    for (let i = 0; i < 65; i++) t.writer.addSample(`p-${i % 5}`, base + i, -1, 'good');
    t.writer.flush();
    await waitFor(() => t.writer.idle, 'all written');
    expect(t.stored()).toBe(135);
    expect(t.counters.written).toBe(135);
    expect(t.counters.duplicates).toBe(65);
    const values = [...storedSamples(t.dataDir).values()].flatMap((m) => [...m.values()]);
    expect(values).not.toContain(-1);
    await t.thread.close();
    await t.store.close();
  });

  it('a failed batch is kept and retried as it was; nothing is acknowledged until it is durable', async () => {
    const t = await setup();
    fs.mkdirSync(path.join(t.dataDir, 'history'), { recursive: true });
    const file = HistoryFile.forWriting(path.join(t.dataDir, 'history'), 'samples', '2026-11-25');
    file.db.exec("CREATE TRIGGER fail BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    for (let i = 0; i < 100; i++) t.writer.addSample('p-1', base + i, i, 'good');
    t.writer.flush();
    await waitFor(() => t.counters.writeErrors >= 1, 'the failure counted');
    expect(t.committed.every((n) => n === 0)).toBe(true);
    file.db.exec('DROP TRIGGER fail');
    file.close();
    await waitFor(() => t.writer.idle, 'written on retry', 5_000);
    expect(t.stored()).toBe(100);
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
    await waitFor(() => t.writer.idle, 'written on the main thread', 10_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${t.lines.join('\n')}`);
    });
    expect(t.stored()).toBe(5_000);
    expect(t.committed.at(-1)).toBe(t.writer.sequence);
    await t.writer.sampleSink.close();
    await t.store.close();
  });

  it('latest point values go with a batch: the store has them for the next start', async () => {
    const t = await setup();
    t.store.db
      .prepare("INSERT INTO telemetry_points (id, site_id, kind, unit) VALUES ('p-1', 'north', 'pressure', 'bar')")
      .run();
    t.writer.addLatest([['p-1', 42.5, 'good', base]]);
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
