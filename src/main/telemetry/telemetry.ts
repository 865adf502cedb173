import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Config } from '../config';
import { DATA_FOLDERS } from '../config/data-dir';
import { Catalogue } from '../history/catalogue';
import { HistoryReader } from '../history/reader';
import { HistoryRetention } from '../history/retention';
import { MOVE_META, oldRowsLeft } from '../history/move-rows';
import type { Logger } from '../log';
import { readLastKnown, type LastKnown } from './last-known';
import { changedPoints, writeLatest, type PointNow } from './latest';
import { OldRowsMigration } from './old-rows-migration';
import { Retention } from './retention';
import { LocalSampleSink, WorkerSampleSink, type SampleSink } from './sample-sink';
import { INSERT_SITE_IF_ABSENT } from './sql';
import { Trends } from './trends';
import { TelemetryWriter, type WriteCounts } from './writer';

export interface TelemetryOptions {
  config: Pick<Config, 'siteId' | 'dataDir' | 'ingestQueueMax' | 'rawRetentionDays' | 'rollupRetentionDays'>;
  db: Database;
  counters: WriteCounts;
  log: Logger;
  now: () => Date;
  /** Where samples are committed. Default: a writer thread of its own; `local`: this thread. */
  sink?: 'thread' | 'local';
}

/** Blocks whose window is over are written out, and days that are over finished, this often. */
const SWEEP_MS = 10_000;

/**
 * What the field sends, from ingest's hand-off to disk and back: the writer (and its thread)
 * into the history files, trends over them, retention by whole files, and the last known state
 * served at the next start.
 */
export class Telemetry {
  readonly writer: TelemetryWriter;
  readonly trends: Trends;
  readonly history: HistoryReader;
  readonly retention: HistoryRetention;
  /** Pruning of the v8 rows not yet moved into history files. */
  readonly oldRows: Retention;
  readonly catalogue: Catalogue;
  /** The v8 rows moving into history files, in the background. */
  readonly migration: OldRowsMigration;
  /** The sample time last saved per point, so only changed latest values are written. */
  private readonly savedPoints = new Map<string, number>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly o: TelemetryOptions) {
    const { config, db, log } = o;
    db.prepare(INSERT_SITE_IF_ABSENT).run(config.siteId, config.siteId, o.now().toISOString());
    const historyDir = path.join(config.dataDir, DATA_FOLDERS.history);
    const hostOptions = { historyDir, rawRetentionDays: config.rawRetentionDays };
    const local = () => new LocalSampleSink({ ...hostOptions, db });
    // Samples are committed on a thread of their own (the main thread keeps serving operators);
    // an in-memory database (tests of pure logic) has no file another thread could open.
    const sink: SampleSink =
      o.sink === 'local' || db.memory
        ? local()
        : WorkerSampleSink.start({ ...hostOptions, file: db.name }, log.child('writer'));
    const now = () => o.now().getTime();
    this.writer = new TelemetryWriter({
      db,
      siteId: config.siteId,
      queueMax: config.ingestQueueMax,
      counters: o.counters,
      log: log.child('writer'),
      sink,
      fallback: local,
      now,
    });
    this.history = new HistoryReader(historyDir);
    this.catalogue = new Catalogue(db);
    this.trends = new Trends({
      db,
      history: this.history,
      open: (point, from, to) => this.writer.sampleSink.openSamples(point, from, to),
      pending: (point, from, to) => this.writer.pendingSamples(point, from, to),
    });
    this.retention = new HistoryRetention({
      catalogue: this.catalogue,
      reader: this.history,
      drop: (kind, key) => this.writer.sampleSink.drop(kind, key),
      rawDays: config.rawRetentionDays,
      rollupDays: config.rollupRetentionDays,
      now,
      log: log.child('retention'),
    });
    this.oldRows = new Retention(db, config.rawRetentionDays, config.rollupRetentionDays, log.child('retention'), now);
    this.migration = new OldRowsMigration({
      sink: () => this.writer.sampleSink,
      now,
      rawRetentionDays: config.rawRetentionDays,
      rollupRetentionDays: config.rollupRetentionDays,
      finished: () => this.catalogue.meta(MOVE_META.done) != null || !oldRowsLeft(db),
      log: log.child('history'),
    });
  }

  /** A sample from ingest (the hot path): to the writer. */
  record(pointId: string, ts: number, value: number, quality: string): void {
    this.writer.addSample(pointId, ts, value, quality);
  }

  /** The state the station had when it last ran. */
  lastKnown(): LastKnown {
    return readLastKnown(this.o.db, this.o.config.siteId);
  }

  start(): void {
    this.retention.start();
    this.oldRows.start();
    this.migration.start();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Writes out blocks whose window is over and finishes days that are over (also on demand, for tests). */
  async sweep(): Promise<void> {
    try {
      const problem = await this.writer.sampleSink.sweep(this.o.now().getTime());
      if (problem) this.o.log.warn('rolling up history failed; will try again', { error: problem });
    } catch (err) {
      this.o.log.warn('writing out history blocks failed; will try again', { error: err });
    }
  }

  /** Saves the latest values that changed since the last call (with the next batch of samples). */
  saveLatest(points: Iterable<PointNow>): void {
    this.writer.addLatest(changedPoints(points, this.savedPoints));
  }

  /**
   * Writes everything pending, then closes the thread and writes the latest values here:
   * nothing received is lost (what is not in a block yet is in the journal). Call once the
   * link is stopped.
   */
  async stop(points: Iterable<PointNow>): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.retention.stop();
    this.oldRows.stop();
    this.migration.stop();
    if (!(await this.writer.drain()))
      this.o.log.error('some telemetry samples could not be written before stopping', {
        pending: this.writer.pendingCount(),
      });
    this.writer.stop();
    await this.writer.sampleSink.close();
    this.history.close();
    try {
      writeLatest(this.o.db, changedPoints(points, this.savedPoints));
    } catch (err) {
      this.o.log.warn('saving latest point values failed', { error: err });
    }
  }
}
