import type { Database } from 'better-sqlite3';
import type { Config } from '../config';
import type { Logger } from '../log';
import { readLastKnown, type LastKnown } from './last-known';
import { changedPoints, writeLatest, type PointNow } from './latest';
import { Retention } from './retention';
import { RollupAccumulator } from './rollups';
import { WorkerSampleSink, type SampleSink } from './sample-sink';
import { INSERT_SITE_IF_ABSENT } from './sql';
import { Trends } from './trends';
import { TelemetryWriter, type WriteCounts } from './writer';

export interface TelemetryOptions {
  config: Pick<Config, 'siteId' | 'ingestQueueMax' | 'rawRetentionDays' | 'rollupRetentionDays'>;
  db: Database;
  counters: WriteCounts;
  log: Logger;
  now: () => Date;
  /** Where samples are committed. Default: a writer thread of their own; null: this thread. */
  sink?: SampleSink | null;
}

const ROLLUP_SWEEP_MS = 10_000;

/**
 * What the field sends, from ingest's hand-off to disk and back: the writer (and its thread),
 * one-minute rollups, retention, trends, and the last known state served at the next start.
 */
export class Telemetry {
  readonly writer: TelemetryWriter;
  readonly trends: Trends;
  readonly retention: Retention;
  private readonly sink: SampleSink | null;
  private readonly rollups = new RollupAccumulator();
  /** The sample time last saved per point, so only changed latest values are written. */
  private readonly savedPoints = new Map<string, number>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly o: TelemetryOptions) {
    const { config, db, log } = o;
    db.prepare(INSERT_SITE_IF_ABSENT).run(config.siteId, config.siteId, o.now().toISOString());
    // Samples are committed on a thread of their own (the main thread keeps serving operators);
    // an in-memory database (tests of pure logic) has no file another thread could open.
    this.sink = o.sink !== undefined ? o.sink : db.memory ? null : WorkerSampleSink.start(db.name, log.child('writer'));
    this.writer = new TelemetryWriter({
      db,
      siteId: config.siteId,
      queueMax: config.ingestQueueMax,
      counters: o.counters,
      log: log.child('writer'),
      sink: this.sink,
    });
    this.trends = new Trends(db);
    this.retention = new Retention(
      db,
      config.rawRetentionDays,
      config.rollupRetentionDays,
      log.child('retention'),
      () => o.now().getTime(),
    );
  }

  /** A sample from ingest (the hot path): to the writer, and into its minute's rollup. */
  record(pointId: string, ts: number, value: number, quality: string): void {
    this.writer.addSample(pointId, ts, value, quality);
    const done = this.rollups.add(pointId, ts, value);
    if (done) this.writer.addRollups([done]);
  }

  /** The state the station had when it last ran. */
  lastKnown(): LastKnown {
    return readLastKnown(this.o.db, this.o.config.siteId);
  }

  start(): void {
    this.retention.start();
    this.sweeper = setInterval(
      () => this.writer.addRollups(this.rollups.sweep(this.o.now().getTime())),
      ROLLUP_SWEEP_MS,
    );
    this.sweeper.unref();
  }

  /** Saves the latest values that changed since the last call: on the writer thread when there is one. */
  saveLatest(points: Iterable<PointNow>): void {
    try {
      const rows = changedPoints(points, this.savedPoints);
      if (!this.writer.addLatest(rows)) writeLatest(this.o.db, rows);
    } catch (err) {
      this.o.log.warn('saving latest point values failed; will retry', { error: err });
    }
  }

  /**
   * Writes everything pending (the open minutes too), then closes the thread and writes the
   * latest values here: nothing received is lost. Call once the link is stopped.
   */
  async stop(points: Iterable<PointNow>): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.retention.stop();
    this.writer.addRollups(this.rollups.drain());
    if (!(await this.writer.drain()))
      this.o.log.error('some telemetry samples could not be written before stopping', {
        pending: this.writer.pendingCount(),
      });
    this.writer.stop();
    await this.sink?.close();
    try {
      writeLatest(this.o.db, changedPoints(points, this.savedPoints));
    } catch (err) {
      this.o.log.warn('saving latest point values failed', { error: err });
    }
  }
}
