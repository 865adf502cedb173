import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { HistoryKind } from '../history/layout';
import type { MoveOutcome, MoveSliceOptions } from '../history/move-rows';
import type { Logger } from '../log';
import { startThread } from '../threads';
import type { LatestPoint } from './latest';
import type { SweepOutcome } from '../history/writer';
import { SampleHost, type BatchOutcome, type SampleHostOptions, type SinkRequest } from './sample-host';

/** Telemetry samples in columns, point ids as numbers: cheap to hand to another thread. */
export interface SampleBatch {
  /** Point ids first used in this batch: [number, id]. */
  newPoints: [number, string][];
  pidx: Uint32Array;
  ts: Float64Array;
  val: Float64Array;
  q: Uint8Array;
  /** Latest point values. */
  latest?: LatestPoint[];
  /** The station's clock (too old for retention, days over). */
  now: number;
  /** Names the batch: a retry is the same batch. */
  key: number;
}

export { QUALITY_CODES } from '../history/codec';

/** Where sample batches are committed. `write` resolves once the batch is durable. */
export interface SampleSink {
  /** Most samples worth one batch here. */
  readonly maxBatch: number;
  write(batch: SampleBatch): Promise<BatchOutcome>;
  /** Writes out blocks whose window is over, finishes days that are over. */
  sweep(now: number): Promise<SweepOutcome>;
  /** A point's samples between two times not yet in a block. */
  openSamples(point: string, from: number, to: number): Promise<{ ts: number[]; values: number[] }>;
  /** Retention: one history file goes. */
  drop(kind: HistoryKind, key: string): Promise<void>;
  /** Moves one slice of the v8 rows into history files (history/move-rows.ts). */
  move(o: MoveSliceOptions): Promise<MoveOutcome>;
  close(): Promise<void>;
}

/** The sink's methods as requests (SinkRequest): the same for the thread and this thread. */
abstract class RequestSink implements SampleSink {
  abstract readonly maxBatch: number;
  abstract close(): Promise<void>;
  protected abstract request(req: SinkRequest): Promise<unknown>;

  write(batch: SampleBatch): Promise<BatchOutcome> {
    return this.request({ op: 'write', batch }) as Promise<BatchOutcome>;
  }

  sweep(now: number): Promise<SweepOutcome> {
    return this.request({ op: 'sweep', now }) as Promise<SweepOutcome>;
  }

  openSamples(point: string, from: number, to: number): Promise<{ ts: number[]; values: number[] }> {
    return this.request({ op: 'open', point, from, to }) as Promise<{ ts: number[]; values: number[] }>;
  }

  async drop(kind: HistoryKind, key: string): Promise<void> {
    await this.request({ op: 'drop', kind, key });
  }

  move(o: MoveSliceOptions): Promise<MoveOutcome> {
    return this.request({ op: 'move', ...o }) as Promise<MoveOutcome>;
  }
}

/** The sink cannot take anything any more (its thread died): the writer falls back to writing itself. */
export class SinkBroken extends Error {}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/**
 * Commits telemetry samples on a thread of its own, into the history files and (latest values)
 * over its own connection to the operational database. The event loop that serves operators
 * never holds a commit of samples.
 */
export class WorkerSampleSink extends RequestSink {
  readonly maxBatch = 20_000;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private next = 1;
  private broken: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly log: Logger,
  ) {
    super();
    worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (r.ok) p?.resolve(r.value);
      else p?.reject(new Error(r.message));
    });
    const fail = (err: Error) => {
      if (!this.broken) {
        this.broken = new SinkBroken(`the writer thread stopped: ${err.message}`);
        this.log.error('the writer thread stopped; samples are written on the main thread from now on', {
          error: err,
        });
      }
      this.rejectPending();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  /** Starts the thread; from sources (tests, benchmarks) through tsx, from the bundle as built. */
  static start(options: Omit<SampleHostOptions, 'db'> & { file: string }, log: Logger): WorkerSampleSink {
    const worker = startThread(path.join(__dirname, 'writer-thread'), options);
    worker.unref();
    return new WorkerSampleSink(worker, log);
  }

  async close(): Promise<void> {
    // The thread closes its files first (their WAL folded in: quicker to open next time).
    await this.ask({ op: 'close' }).catch(() => undefined);
    this.broken ??= new SinkBroken('closed');
    await this.worker.terminate();
    // Whatever was asked after the close is answered by no one: the writer goes on without the thread.
    this.rejectPending();
  }

  private rejectPending(): void {
    for (const p of this.pending.values()) p.reject(this.broken!);
    this.pending.clear();
  }

  protected request(req: SinkRequest): Promise<unknown> {
    return this.ask(req);
  }

  private ask(req: SinkRequest | { op: 'close' }): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, req });
    });
  }
}

/**
 * The same on this thread: when the writer thread has died, or where there is none (an
 * in-memory database for tests of pure logic has no file another thread could open). Smaller
 * batches: each commit holds this event loop.
 */
export class LocalSampleSink extends RequestSink {
  readonly maxBatch = 1000;
  private host: SampleHost | null = null;

  constructor(private readonly options: SampleHostOptions) {
    super();
  }

  close(): Promise<void> {
    this.host?.close();
    this.host = null;
    return Promise.resolve();
  }

  protected request(req: SinkRequest): Promise<unknown> {
    try {
      // Opened on first use: the history files have one writer at a time.
      this.host ??= new SampleHost(this.options);
      return Promise.resolve(this.host.handle(req));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
