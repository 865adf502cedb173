import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../log';
import { startThread } from '../threads';
import type { LatestPoint } from './latest';
import type { Rollup } from './rollups';

/** Telemetry samples in columns, point ids as numbers: cheap to hand to another thread. */
export interface SampleBatch {
  /** Point ids first used in this batch: [number, id]. */
  newPoints: [number, string][];
  pidx: Uint32Array;
  ts: Float64Array;
  val: Float64Array;
  q: Uint8Array;
  /** One-minute rollups completed since the last batch. */
  rollups?: Rollup[];
  /** Latest point values. */
  latest?: LatestPoint[];
}

export const QUALITY_CODES = ['good', 'uncertain', 'bad', 'stale'] as const;

/** Where sample batches are committed. `write` resolves once the batch is durable. */
export interface SampleSink {
  /** Resolves with how many samples of the batch were already stored (same point, same time). */
  write(batch: SampleBatch): Promise<number>;
  close(): Promise<void>;
}

/** The sink cannot take anything any more (its thread died): the writer falls back to writing itself. */
export class SinkBroken extends Error {}

type Reply = { id: number; ok: true; duplicates: number } | { id: number; ok: false; message: string };

/**
 * Commits telemetry samples on a thread of its own, over its own connection to the same
 * database (WAL: readers never wait; the main thread's few writes wait at most one commit).
 * The event loop that serves operators never holds a large commit.
 */
export class WorkerSampleSink implements SampleSink {
  private readonly pending = new Map<number, { resolve: (duplicates: number) => void; reject: (e: Error) => void }>();
  private next = 1;
  private broken: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly log: Logger,
  ) {
    worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (r.ok) p?.resolve(r.duplicates);
      else p?.reject(new Error(r.message));
    });
    const fail = (err: Error) => {
      if (this.broken) return;
      this.broken = new SinkBroken(`the writer thread stopped: ${err.message}`);
      this.log.error('the writer thread stopped; samples are written on the main thread from now on', { error: err });
      for (const p of this.pending.values()) p.reject(this.broken);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  /** Starts the thread; from sources (tests, benchmarks) through tsx, from the bundle as built. */
  static start(file: string, log: Logger): WorkerSampleSink {
    const worker = startThread(path.join(__dirname, 'writer-thread'), { file });
    worker.unref();
    return new WorkerSampleSink(worker, log);
  }

  write(batch: SampleBatch): Promise<number> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, batch });
    });
  }

  async close(): Promise<void> {
    this.broken ??= new SinkBroken('closed');
    await this.worker.terminate();
  }
}
