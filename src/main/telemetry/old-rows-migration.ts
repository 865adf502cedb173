import type { MoveOutcome } from '../history/move-rows';
import type { RetentionDays } from '../history/retention';
import type { Logger } from '../log';
import { SinkBroken, type SampleSink } from './sample-sink';

/** The first slice waits this long after start: the station is up first. */
const START_MS = 1000;
/**
 * Between two slices. A slice of 2,000 rows took 4.9 ms (median; p90 10 ms, two fsynced
 * commits) on the writer thread, where a commit of samples may wait that long behind it;
 * resting four times as long leaves the thread to ingest: about 80,000 rows a second.
 */
const REST_MS = 20;
/** After a slice failed (disk full, the thread restarting). */
const RETRY_MS = 5000;

export interface OldRowsMigrationOptions {
  /** Where history is written now (the writer thread, or this thread once it died). */
  sink: () => SampleSink;
  now: () => number;
  retention: RetentionDays;
  /** Whether every v8 row has moved already, or there never were any (then nothing runs). */
  finished: () => boolean;
  log: Logger;
}

/**
 * The background move of schema v8's telemetry rows into history files, a slice at a time on
 * the history writer (history/move-rows.ts), until none is left. Trends read both meanwhile;
 * a stop or a kill leaves it to go on at the next start.
 */
export class OldRowsMigration {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Rows moved, found in the files already, and past retention, since start. */
  readonly totals = { moved: 0, already: 0, pastRetention: 0 };

  constructor(private readonly o: OldRowsMigrationOptions) {}

  start(): void {
    if (this.o.finished()) return;
    this.stopped = false;
    this.next(START_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One slice (the timer's; tests call it to move step by step). */
  step(): Promise<MoveOutcome> {
    const sink = this.o.sink();
    return sink.move({
      now: this.o.now(),
      retention: this.o.retention,
      // 2,000 rows on the writer thread; 250 on the main thread (each holds its event loop).
      rows: Math.max(250, Math.floor(sink.maxBatch / 10)),
    });
  }

  private next(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const first = this.totals.moved + this.totals.already + this.totals.pastRetention === 0;
    try {
      const r = await this.step();
      if (this.stopped) return;
      if (first && r.more) this.o.log.info('moving the telemetry rows of schema v8 into history files');
      this.totals.moved += r.moved;
      this.totals.already += r.already;
      this.totals.pastRetention += r.pastRetention;
      if (r.more) return this.next(REST_MS);
      if (!first) this.o.log.info('the telemetry rows of schema v8 are in history files', { ...this.totals });
    } catch (err) {
      if (this.stopped) return;
      // The thread died: the writer moves to this thread at its next commit; try again then.
      if (!(err instanceof SinkBroken))
        this.o.log.warn('moving telemetry rows into history files failed; will try again', { error: err });
      this.next(RETRY_MS);
    }
  }
}
