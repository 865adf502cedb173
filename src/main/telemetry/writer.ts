import type { Database } from 'better-sqlite3';
import type { PointMetaMessage, SiteMessage, ValveStateMessage } from '../../shared/protocol';
import type { Logger } from '../log';
import type { LatestPoint } from './latest';
import type { Damage } from '../history/damage';
import type { BatchOutcome } from './sample-host';
import { SampleQueue, type SampleRun } from './sample-queue';
import { SinkBroken, type SampleBatch, type SampleSink } from './sample-sink';
import { prepareWrites, type WriteStatements } from './sql';

const RETRY_MS = 1000;
/**
 * A batch waits up to this long since the last one for company, unless
 * `SAMPLES_WORTH_A_COMMIT` are waiting: each commit is a journal record and an fsync, fewer
 * and larger ones cost less a sample. Samples are acknowledged to the broker after their
 * commit, so the wait is also the acknowledgement's.
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
  /** Samples older than the raw history kept: not stored. */
  tooOld: number;
  writeErrors: number;
}

export interface WriterOptions {
  db: Database;
  siteId: string;
  /** Most samples waiting to be written; past it the oldest are dropped and counted. */
  queueMax: number;
  counters: WriteCounts;
  log: Logger;
  /** Where samples are committed (the writer thread). */
  sink: SampleSink;
  /** Where they are committed if that sink breaks (its thread died): this thread. */
  fallback: () => SampleSink;
  now: () => number;
  /** A history file was found damaged and moved aside. */
  onDamage: (d: Damage) => void;
}

/**
 * Batches everything ingest writes. Field state (site, valves, point descriptions) is
 * committed to the operational database here, at once (a command row must find its valve);
 * samples go to the sample sink (history files, on the writer thread) in batches. Only once
 * what was added is durable do the `committed` listeners (the link) acknowledge it to the
 * broker. If a commit fails (disk full), nothing is acknowledged, the batch is kept and
 * retried, and the broker holds further messages once its in-flight window is full.
 */
export class TelemetryWriter {
  private readonly samples = new SampleQueue();
  /** Counts every item ever added; a PUBACK is sent once everything up to its number is committed. */
  private seq = 0;
  private readonly valves = new Map<string, { msg: ValveStateMessage; receivedAt: string }>();
  private readonly metas = new Map<string, PointMetaMessage>();
  private site: SiteMessage | null = null;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly stmt: WriteStatements;
  private readonly o: WriterOptions;
  private sink: SampleSink;
  private readonly committed = new Set<(upTo: number) => void>();
  /** Samples sent to the sink and not yet durable. */
  private inFlight: { run: SampleRun; retry: NodeJS.Timeout | null } | null = null;
  /** When the last batch went to the sink, and the timer that sends the next one (pacing). */
  private sentAt = -Infinity;
  private paceTimer: NodeJS.Timeout | null = null;
  /** Set while draining: whatever is pending goes at once. */
  private draining = false;
  /** How many point names the sink has been told. */
  private namesSent = 0;
  private sinkLatest: LatestPoint[] = [];
  /** The sequence number of the first state item (valve, meta, site) not yet committed. */
  private stateSince: number | null = null;

  constructor(o: WriterOptions) {
    this.o = o;
    this.sink = o.sink;
    this.stmt = prepareWrites(o.db);
  }

  /** Called with the sequence number up to which everything added is durable, after each commit. */
  onCommitted(listener: (committedUpTo: number) => void): () => void {
    this.committed.add(listener);
    return () => void this.committed.delete(listener);
  }

  private done(upTo: number): void {
    for (const listener of this.committed) listener(upTo);
  }

  /** The number of the latest item added (see DurableAcks). */
  get sequence(): number {
    return this.seq;
  }

  /** Where samples go now (the writer thread, or this thread once it died). */
  get sampleSink(): SampleSink {
    return this.sink;
  }

  addSample(pointId: string, ts: number, value: number, quality: string): void {
    this.samples.push(pointId, ts, value, quality, ++this.seq);
    if (this.samples.length > this.o.queueMax) {
      // Oldest first, and only telemetry: state, alerts and acknowledgements are never dropped.
      const drop = this.samples.length - this.o.queueMax;
      this.samples.drop(drop);
      this.o.counters.dropped += drop;
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

  setSite(msg: SiteMessage): void {
    this.seq++;
    this.stateSince ??= this.seq;
    this.site = msg;
    this.schedule();
  }

  /** Latest point values for the store (served at the next start before the field answers): with the next batch. */
  addLatest(rows: LatestPoint[]): void {
    for (const r of rows) this.sinkLatest.push(r);
    this.schedule();
  }

  /** A point's samples between two times not yet handed to the sink or not yet durable (the newest). */
  pendingSamples(pointId: string, from: number, to: number): { ts: number[]; values: number[] } {
    const out = { ts: [] as number[], values: [] as number[] };
    const idx = this.samples.indexOf(pointId);
    if (idx === undefined) return out;
    const keep = (ts: number, value: number) => {
      if (ts < from || ts > to) return;
      out.ts.push(ts);
      out.values.push(value);
    };
    const flight = this.inFlight?.run;
    for (let i = 0; i < (flight?.count ?? 0); i++) if (flight!.pidx[i] === idx) keep(flight!.ts[i]!, flight!.val[i]!);
    this.samples.forEachOf(idx, keep);
    return out;
  }

  /** Nothing to commit and nothing waiting for a retry. */
  get idle(): boolean {
    return !this.scheduled && !this.retryTimer && !this.paceTimer && !this.inFlight && this.pendingCount() === 0;
  }

  pendingCount(): number {
    return this.samples.length + this.valves.size + this.metas.size + this.sinkLatest.length + (this.site ? 1 : 0);
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
   * Commits the field state here and hands samples to the sink; returns false, and retries
   * later, when the state's write fails.
   */
  flush(): boolean {
    if (this.stateSince !== null) {
      try {
        this.o.db.transaction(() => this.writeState()).immediate();
      } catch (err) {
        this.o.counters.writeErrors++;
        this.o.log.error('writing field state failed; keeping it and retrying', { error: err });
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

  /** Everything before the first sample or state item not yet durable is. */
  private durableUpTo(): number {
    const first = Math.min(
      this.inFlight?.run.first ?? Infinity,
      this.samples.firstSeq() ?? Infinity,
      this.stateSince ?? Infinity,
    );
    return first === Infinity ? this.seq : first - 1;
  }

  /** Hands the oldest samples to the sink, one batch at a time; retries a failed batch as it was. */
  private sendSamples(): void {
    if (this.inFlight || (!this.samples.length && !this.sinkLatest.length)) return;
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
    const run = this.samples.take(this.sink.maxBatch);
    const latest = this.sinkLatest;
    this.sinkLatest = [];
    const batch: SampleBatch = {
      newPoints: this.newNames(),
      pidx: run.pidx,
      ts: run.ts,
      val: run.val,
      q: run.q,
      latest,
      now: this.o.now(),
      key: run.first,
    };
    const flight = { run, retry: null as NodeJS.Timeout | null };
    this.inFlight = flight;
    const attempt = (): void =>
      void this.sink
        .write(batch)
        .then(
          (outcome) => this.landed(run, outcome),
          (err: unknown) => {
            if (err instanceof SinkBroken) {
              // The thread is gone: this batch, then the rest, are written on this thread.
              this.sink = this.o.fallback();
              this.namesSent = 0;
              batch.newPoints = this.newNames();
              return attempt();
            }
            this.o.counters.writeErrors++;
            this.o.log.error('writing samples failed; keeping them and retrying', { error: err, samples: run.count });
            flight.retry = setTimeout(() => {
              flight.retry = null;
              attempt();
            }, RETRY_MS);
          },
        )
        // What follows a commit (acknowledgements, the next batch) must not end the process.
        .catch((err: unknown) => this.o.log.error('after a commit of samples', { error: err }));
    attempt();
  }

  private landed(run: SampleRun, outcome: BatchOutcome): void {
    const c = this.o.counters;
    c.written += run.count - outcome.duplicates - outcome.tooOld;
    c.duplicates += outcome.duplicates;
    c.tooOld += outcome.tooOld;
    if (outcome.rollupProblem)
      this.o.log.warn('rolling up history failed; the samples are stored, the rollups follow', {
        error: outcome.rollupProblem,
      });
    if (outcome.latestProblem) this.o.log.warn('saving latest point values failed', { error: outcome.latestProblem });
    for (const d of outcome.damaged) this.o.onDamage(d);
    this.inFlight = null;
    this.done(this.durableUpTo());
    this.sendSamples();
  }

  /** Point names the sink has not been told yet. */
  private newNames(): [number, string][] {
    const { names } = this.samples;
    const out = names.slice(this.namesSent).map((n, i): [number, string] => [this.namesSent + i, n]);
    this.namesSent = names.length;
    return out;
  }

  private clearState(): void {
    this.valves.clear();
    this.metas.clear();
    this.site = null;
    this.stateSince = null;
  }

  /** Commits the field state (site, segments, valves, point descriptions). */
  private writeState(): void {
    const s = this.stmt;
    const { siteId } = this.o;
    if (this.site) {
      s.site.run(siteId, this.site.name, this.site.demo ? 1 : 0, new Date().toISOString());
      for (const seg of this.site.segments) s.segment.run(seg.id, siteId, seg.name, seg.seq);
    }
    for (const [id, { msg, receivedAt }] of this.valves) {
      s.valve.run(
        id,
        siteId,
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
    for (const [id, m] of this.metas) s.meta.run(id, siteId, m.kind, m.unit, m.segment, m.valve, m.staleAfterMs);
  }
}
