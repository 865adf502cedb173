import type { Database } from 'better-sqlite3';
import type { PointMetaMessage, SiteMessage, ValveStateMessage } from '../../shared/protocol';
import type { Logger } from '../log';
import { writeLatest, type LatestPoint } from './latest';
import type { Rollup } from './rollups';
import { SampleQueue, type SampleRun } from './sample-queue';
import { QUALITY_CODES, SinkBroken, type SampleSink } from './sample-sink';
import { prepareWrites, type WriteStatements } from './sql';

const RETRY_MS = 1000;
/**
 * Most samples in one transaction. Measured (bench/commit-batch.ts, docs/performance.md):
 * 100 to 1,000 rows per commit write 120k to 136k rows/s with a median commit of 0.6 to 5 ms;
 * 5,000 rows hold the event loop for over 40 ms. A larger backlog is written in chunks
 * with the event loop free in between.
 */
export const MAX_SAMPLES_PER_COMMIT = 1000;
/**
 * With a sample sink (the writer thread), one batch carries up to this many samples: the
 * thread's commit holds no event loop, and larger batches dirty each index page once for many
 * rows (bench/ingest.ts, docs/performance.md).
 */
export const MAX_SAMPLES_PER_BATCH = 20_000;
/**
 * With a sink, a batch waits up to this long since the last one for company, unless
 * `SAMPLES_WORTH_A_COMMIT` are waiting. Each commit appends every page it touched to the WAL
 * and syncs it; with 200 points each sample of a small batch dirties a page of its own, so
 * committing as soon as the previous commit was done wrote about a sixth more at 2,000
 * samples/s (measured in tests/faults/backup-load.fault.ts). Samples are acknowledged to the
 * broker after their commit, so the wait is also the acknowledgement's.
 */
export const SAMPLE_COMMIT_INTERVAL_MS = 100;
/**
 * How many QoS 1 messages the broker may have in flight to the station before it waits for
 * acknowledgements (MQTT 5 receive maximum; the link asks for it). Acknowledgements follow
 * commits, so the writer's batches are sized by it.
 */
export const RECEIVE_WINDOW = 1000;
/** Half the receive window: the broker never waits on us. */
export const SAMPLES_WORTH_A_COMMIT = RECEIVE_WINDOW / 2;

/** What the writer counts (ingest's counters, src/main/field/counters.ts). */
export interface WriteCounts {
  /** Samples dropped because the queue was full (oldest first). */
  dropped: number;
  /** Samples committed. */
  written: number;
  /** Samples for a point and time already stored (the first is kept). */
  duplicates: number;
  writeErrors: number;
}

export interface WriterOptions {
  db: Database;
  siteId: string;
  /** Most samples waiting to be written; past it the oldest are dropped and counted. */
  queueMax: number;
  counters: WriteCounts;
  log: Logger;
  /** Where samples are committed; without one they are written here, in chunks. */
  sink?: SampleSink | null;
}

/**
 * Batches everything ingest writes and commits it in one transaction per turn of the event
 * loop (group commit): as many messages as arrived together share one fsync. Only after the
 * commit do the `committed` listeners (the link) acknowledge them to the broker. If a commit
 * fails (disk full), nothing is acknowledged, the batch is kept and retried, and the broker
 * holds further messages once its in-flight window is full.
 */
export class TelemetryWriter {
  private readonly samples = new SampleQueue();
  /** Counts every item ever added; a PUBACK is sent once everything up to its number is committed. */
  private seq = 0;
  private readonly valves = new Map<string, { msg: ValveStateMessage; receivedAt: string }>();
  private readonly metas = new Map<string, PointMetaMessage>();
  private rollups: Rollup[] = [];
  private site: SiteMessage | null = null;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly stmt: WriteStatements;
  private readonly db: Database;
  private readonly siteId: string;
  private readonly queueMax: number;
  private readonly counters: WriteCounts;
  private readonly log: Logger;
  private sink: SampleSink | null;
  private readonly committed = new Set<(upTo: number) => void>();

  constructor(o: WriterOptions) {
    ({ db: this.db, siteId: this.siteId, queueMax: this.queueMax, counters: this.counters, log: this.log } = o);
    this.sink = o.sink ?? null;
    this.stmt = prepareWrites(this.db);
  }

  /** Called with the sequence number up to which everything added is durable, after each commit. */
  onCommitted(listener: (committedUpTo: number) => void): () => void {
    this.committed.add(listener);
    return () => void this.committed.delete(listener);
  }

  private done(upTo: number): void {
    for (const listener of this.committed) listener(upTo);
  }

  /** Samples sent to the sink and not yet durable. */
  private inFlight: { run: SampleRun; retry: NodeJS.Timeout | null } | null = null;
  /** When the last batch went to the sink, and the timer that sends the next one (pacing). */
  private sentAt = -Infinity;
  private paceTimer: NodeJS.Timeout | null = null;
  /** Set while draining: whatever is pending goes at once. */
  private draining = false;
  /** A batch the sink took and could not write before its thread died: written here first. */
  private orphan: SampleRun | null = null;
  /** How many point names the sink has been told. */
  private namesSent = 0;
  private sinkRollups: Rollup[] = [];
  private sinkLatest: LatestPoint[] = [];
  /** The sequence number of the first state item (valve, meta, rollup, site) not yet committed. */
  private stateSince: number | null = null;

  /** The number of the latest item added (see DurableAcks). */
  get sequence(): number {
    return this.seq;
  }

  addSample(pointId: string, ts: number, value: number, quality: string): void {
    this.samples.push(pointId, ts, value, quality, ++this.seq);
    if (this.samples.length > this.queueMax) {
      // Oldest first, and only telemetry: state, alerts and acknowledgements are never dropped.
      const drop = this.samples.length - this.queueMax;
      this.samples.drop(drop);
      this.counters.dropped += drop;
    }
    this.schedule();
  }

  addValve(msg: ValveStateMessage, id: string, receivedAt: string): void {
    this.seq++;
    this.stateSince ??= this.seq;
    this.valves.set(id, { msg, receivedAt });
    this.schedule();
  }

  addMeta(id: string, msg: PointMetaMessage): void {
    this.seq++;
    this.stateSince ??= this.seq;
    this.metas.set(id, msg);
    this.schedule();
  }

  addRollups(r: Rollup[]): void {
    if (!r.length) return;
    if (this.sink) {
      // Derived from samples already acknowledged: they go with the next batch, no sequence.
      for (const x of r) this.sinkRollups.push(x);
      return void this.schedule();
    }
    this.seq++;
    this.stateSince ??= this.seq;
    for (const x of r) this.rollups.push(x);
    this.schedule();
  }

  setSite(msg: SiteMessage): void {
    this.seq++;
    this.stateSince ??= this.seq;
    this.site = msg;
    this.schedule();
  }

  /**
   * Latest point values for the store (served at the next start before the field answers).
   * With a sink they go with the next batch; false means "write them yourself".
   */
  addLatest(rows: LatestPoint[]): boolean {
    if (!this.sink) return false;
    for (const r of rows) this.sinkLatest.push(r);
    this.schedule();
    return true;
  }

  /** Nothing to commit and nothing waiting for a retry. */
  get idle(): boolean {
    return !this.scheduled && !this.retryTimer && !this.paceTimer && !this.inFlight && this.pendingCount() === 0;
  }

  pendingCount(): number {
    return (
      this.samples.length +
      (this.orphan?.count ?? 0) +
      this.valves.size +
      this.metas.size +
      this.rollups.length +
      this.sinkRollups.length +
      (this.site ? 1 : 0)
    );
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // After a failed commit the retry timer owns the next attempt.
      if (!this.retryTimer) this.flush();
    });
  }

  /**
   * Commits what is pending (state, alerts and rollups whole, samples up to the per-commit
   * limit, oldest first); returns false, and retries later, when the write fails.
   */
  flush(): boolean {
    if (this.sink) return this.flushState();
    if (this.pendingCount() === 0) {
      this.done(this.seq);
      return true;
    }
    const chunk = this.orphan ?? this.samples.take(MAX_SAMPLES_PER_COMMIT);
    this.orphan = null;
    let duplicates: number;
    try {
      duplicates = this.db.transaction(() => this.writeAll(chunk))();
    } catch (err) {
      // Kept as it was, ahead of everything newer.
      this.orphan = chunk;
      this.counters.writeErrors++;
      this.log.error('writing field data failed; keeping it and retrying', {
        error: err,
        pending: this.pendingCount(),
      });
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        this.flush();
      }, RETRY_MS);
      return false;
    }
    const rest = this.samples.length;
    this.counters.written += chunk.count - duplicates;
    this.counters.duplicates += duplicates;
    this.clearState();
    // Everything added before the last sample written is durable; with no samples left, all of it.
    this.done(rest > 0 ? chunk.last : this.seq);
    if (rest > 0) this.schedule();
    return true;
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = null;
    if (this.inFlight?.retry) clearTimeout(this.inFlight.retry);
  }

  /** Writes everything pending and waits (up to `timeoutMs`) until it is durable. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    this.draining = true;
    try {
      this.flush();
      while (!this.idle && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 10));
        if (!this.scheduled && !this.retryTimer) this.flush();
      }
      return this.idle;
    } finally {
      this.draining = false;
    }
  }

  /**
   * With a sink: state (valves, metas, rollups, the site) is committed here at once (a command
   * row must find its valve), samples go to the sink; acknowledgements follow what is durable.
   */
  private flushState(): boolean {
    if (this.stateSince !== null) {
      try {
        this.db.transaction(() => this.writeAll(null))();
      } catch (err) {
        this.counters.writeErrors++;
        this.log.error('writing field state failed; keeping it and retrying', { error: err });
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = null;
          this.flush();
        }, RETRY_MS);
        this.sendSamples();
        return false;
      }
      this.clearState();
    }
    this.sendSamples();
    this.done(this.durableUpTo());
    return true;
  }

  /** Everything before the first sample or state item not yet durable is. */
  private durableUpTo(): number {
    const first = Math.min(
      this.inFlight?.run.first ?? Infinity,
      this.orphan?.first ?? Infinity,
      this.samples.firstSeq() ?? Infinity,
      this.stateSince ?? Infinity,
    );
    return first === Infinity ? this.seq : first - 1;
  }

  /** Hands the oldest samples to the sink, one batch at a time; retries a failed batch as it was. */
  private sendSamples(): void {
    if (!this.sink || this.inFlight || (!this.samples.length && !this.sinkRollups.length && !this.sinkLatest.length))
      return;
    const wait = this.sentAt + SAMPLE_COMMIT_INTERVAL_MS - performance.now();
    if (wait > 0 && !this.draining && this.samples.length < SAMPLES_WORTH_A_COMMIT) {
      this.paceTimer ??= setTimeout(() => {
        this.paceTimer = null;
        this.sendSamples();
      }, wait);
      return;
    }
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = null;
    this.sentAt = performance.now();
    const sink = this.sink;
    const run = this.samples.take(MAX_SAMPLES_PER_BATCH);
    const { names } = this.samples;
    const newPoints = names.slice(this.namesSent).map((n, i): [number, string] => [this.namesSent + i, n]);
    this.namesSent = names.length;
    const rollups = this.sinkRollups;
    const latest = this.sinkLatest;
    this.sinkRollups = [];
    this.sinkLatest = [];
    const batch = { newPoints, pidx: run.pidx, ts: run.ts, val: run.val, q: run.q, rollups, latest };
    const flight = { run, retry: null as NodeJS.Timeout | null };
    this.inFlight = flight;
    const attempt = () =>
      sink.write(batch).then(
        (duplicates) => {
          this.counters.written += run.count - duplicates;
          this.counters.duplicates += duplicates;
          this.inFlight = null;
          this.done(this.durableUpTo());
          this.sendSamples();
        },
        (err: unknown) => {
          if (err instanceof SinkBroken) {
            // The thread is gone: this batch first, then the rest, are written here.
            this.sink = null;
            this.inFlight = null;
            if (run.count) this.orphan = run;
            this.rollups.push(...rollups, ...this.sinkRollups);
            this.sinkRollups = [];
            this.writeLatest([...latest, ...this.sinkLatest]);
            this.sinkLatest = [];
            this.schedule();
            return;
          }
          this.counters.writeErrors++;
          this.log.error('writing samples failed; keeping them and retrying', { error: err, samples: run.count });
          flight.retry = setTimeout(() => {
            flight.retry = null;
            void attempt();
          }, RETRY_MS);
        },
      );
    void attempt();
  }

  private writeLatest(rows: LatestPoint[]): void {
    try {
      writeLatest(this.db, rows);
    } catch (err) {
      this.log.warn('saving latest point values failed', { error: err });
    }
  }

  private clearState(): void {
    this.valves.clear();
    this.metas.clear();
    this.rollups = [];
    this.site = null;
    this.stateSince = null;
  }

  /** Commits what is pending; returns how many samples were already stored (same point, same time). */
  private writeAll(samples: SampleRun | null): number {
    const s = this.stmt;
    if (this.site) {
      s.site.run(this.siteId, this.site.name, this.site.demo ? 1 : 0, new Date().toISOString());
      for (const seg of this.site.segments) s.segment.run(seg.id, this.siteId, seg.name, seg.seq);
    }
    for (const [id, { msg, receivedAt }] of this.valves) {
      s.valve.run(
        id,
        this.siteId,
        msg.name,
        msg.segment,
        msg.state,
        msg.position,
        msg.quality,
        msg.localControl ? 1 : 0,
        msg.fault,
        msg.ts,
        receivedAt,
        msg.supportsPosition ? 1 : 0,
      );
    }
    for (const [id, m] of this.metas) s.meta.run(id, this.siteId, m.kind, m.unit, m.segment, m.valve, m.staleAfterMs);
    const { names } = this.samples;
    let duplicates = 0;
    for (let i = 0; i < (samples?.count ?? 0); i++)
      if (
        s.sample.run(names[samples!.pidx[i]!], samples!.ts[i], samples!.val[i], QUALITY_CODES[samples!.q[i]!])
          .changes === 0
      )
        duplicates++;
    for (const r of this.rollups) s.rollup.run(r.pointId, r.bucket, r.min, r.max, r.mean, r.last, r.count);
    return duplicates;
  }
}
