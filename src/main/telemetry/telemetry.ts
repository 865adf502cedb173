import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Config } from '../config';
import { DATA_FOLDERS } from '../config/data-dir';
import { Catalogue } from '../history/catalogue';
import type { Damage } from '../history/damage';
import { HistoryReader } from '../history/reader';
import { HistoryRetention, minutesKeptFrom, retentionDays } from '../history/retention';
import { MOVE_META, oldRowsLeft } from '../history/move-rows';
import type { Logger } from '../log';
import { readLastKnown, type LastKnown } from './last-known';
import { changedPoints, writeLatest, type PointNow } from './latest';
import { OldRowsMigration } from './old-rows-migration';
import { Retention } from './retention';
import { LocalSampleSink, WorkerSampleSink, type SampleSink } from './sample-sink';
import { INSERT_SITE_IF_ABSENT } from './sql';
import { Trends } from './trends';
import { Compression } from './compression';
import type { PointMetaMessage } from '../../shared/protocol';
import type { AlarmDefinition } from '../../shared/limits';
import { TelemetryWriter, type WriteCounts } from './writer';

export interface TelemetryOptions {
  config: Pick<
    Config,
    'siteId' | 'dataDir' | 'ingestQueueMax' | 'rawRetentionDays' | 'minuteRetentionDays' | 'rollupRetentionDays'
  >;
  db: Database;
  counters: WriteCounts & { compressed: number };
  log: Logger;
  now: () => Date;
  /** Where samples are committed. Default: a writer thread of its own; `local`: this thread. */
  sink?: 'thread' | 'local';
  /** A history file was found damaged and moved aside (an alarm for the operators). */
  onDamage?: (d: Damage) => void;
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
  /** Optional lossy compression of history, per point. */
  readonly compression: Compression;
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
    const retention = retentionDays(config);
    this.compression = new Compression(o.counters);
    this.writer = new TelemetryWriter({
      db,
      siteId: config.siteId,
      queueMax: config.ingestQueueMax,
      counters: o.counters,
      log: log.child('writer'),
      sink,
      fallback: local,
      now,
      onDamage: (d) => this.damaged(d),
    });
    this.history = new HistoryReader(historyDir);
    this.catalogue = new Catalogue(db);
    this.trends = new Trends({
      db,
      history: this.history,
      minutesFrom: () => minutesKeptFrom(now(), retention),
      open: (point, from, to) => this.writer.sampleSink.openSamples(point, from, to),
      pending: (point, from, to) => {
        const pending = this.writer.pendingSamples(point, from, to);
        for (const { sample } of this.compression.held(point)) {
          if (sample.ts < from || sample.ts > to) continue;
          pending.ts.push(sample.ts);
          pending.values.push(sample.value);
        }
        return pending;
      },
    });
    this.retention = new HistoryRetention({
      catalogue: this.catalogue,
      reader: this.history,
      drop: (kind, key) => this.writer.sampleSink.drop(kind, key),
      days: retention,
      now,
      log: log.child('retention'),
    });
    this.oldRows = new Retention(db, config.rawRetentionDays, config.rollupRetentionDays, log.child('retention'), now);
    this.migration = new OldRowsMigration({
      sink: () => this.writer.sampleSink,
      now,
      retention,
      finished: () => this.movedAll(),
      log: log.child('history'),
    });
  }

  /** A sample from ingest (the hot path): to the writer, unless its point's compression leaves it out. */
  record(pointId: string, ts: number, value: number, quality: string): void {
    this.compression.offer(pointId, ts, value, quality, this.store);
  }

  private readonly store = (pointId: string, ts: number, value: number, quality: string) =>
    this.writer.addSample(pointId, ts, value, quality);

  /** A point's description from the field: stored, and its compression deviation taken. */
  describe(pointId: string, meta: PointMetaMessage): void {
    this.noteOverruled(() => this.compression.describe(pointId, meta.compression?.deviation));
    this.writer.addMeta(pointId, meta);
  }

  /** The alarm definitions in force changed: compression is overruled where alarms are finer. */
  alarmsChanged(definitions: readonly AlarmDefinition[]): void {
    this.noteOverruled(() => this.compression.alarmsChanged(definitions));
  }

  /** Says once when a point's compression is overruled by its alarms (its history is kept whole). */
  private noteOverruled(change: () => void): void {
    const before = new Set(this.compression.overruled);
    change();
    for (const point of this.compression.overruled)
      if (!before.has(point))
        this.o.log.warn(
          "a point's history compression is overruled by an alarm with a finer deadband; its history is kept whole",
          {
            point,
          },
        );
  }

  /** The state the station had when it last ran. */
  lastKnown(): LastKnown {
    return readLastKnown(this.o.db, this.o.config.siteId);
  }

  /** Whether schema 8's rows have all moved into history files (or there never were any). */
  private movedAll(): boolean {
    return this.catalogue.meta(MOVE_META.done) != null || !oldRowsLeft(this.o.db);
  }

  start(): void {
    this.retention.start();
    // Pruning schema 8's rows only while some are left to move (their tables stay, empty).
    if (!this.movedAll()) this.oldRows.start();
    this.migration.start();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Writes out blocks whose window is over and finishes days that are over (also on demand, for tests). */
  async sweep(): Promise<void> {
    try {
      const outcome = await this.writer.sampleSink.sweep(this.o.now().getTime());
      if (outcome.rollupProblem)
        this.o.log.warn('rolling up history failed; will try again', { error: outcome.rollupProblem });
      for (const d of outcome.damaged) this.damaged(d);
    } catch (err) {
      this.o.log.warn('writing out history blocks failed; will try again', { error: err });
    }
  }

  private damaged(d: Damage): void {
    this.o.log.error('a history file was damaged; moved aside, history goes on in a new file', {
      file: d.file,
      problem: d.problem,
      moved_to: d.movedTo,
    });
    this.o.onDamage?.(d);
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
    this.compression.drain(this.store);
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
