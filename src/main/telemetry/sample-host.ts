import type { Database } from 'better-sqlite3';
import type { HistoryKind } from '../history/layout';
import { OldRowsMove, type MoveSliceOptions } from '../history/move-rows';
import { HistoryWriter, type WriteOutcome } from '../history/writer';
import { writeLatest } from './latest';
import type { SampleBatch } from './sample-sink';

/** What a sample sink is asked (over the writer thread's messages, or directly on this thread). */
export type SinkRequest =
  | { op: 'write'; batch: SampleBatch }
  | { op: 'sweep'; now: number }
  | { op: 'open'; point: string; from: number; to: number }
  | { op: 'drop'; kind: HistoryKind; key: string }
  | ({ op: 'move' } & MoveSliceOptions);

export interface BatchOutcome extends WriteOutcome {
  /** Why the latest values were not saved (they are saved with a later batch). */
  latestProblem: string | null;
}

export interface SampleHostOptions {
  /** The operational database: latest values and the history catalogue. */
  db: Database;
  historyDir: string;
  rawRetentionDays: number;
}

/**
 * Where sample batches become history (and latest values go to the operational database):
 * the writer thread runs one, and the main thread one of its own if that thread dies.
 */
export class SampleHost {
  private readonly names: string[] = [];
  readonly history: HistoryWriter;
  /** The move of v8 rows into history files, made on first use. */
  private move: OldRowsMove | null = null;

  constructor(private readonly o: SampleHostOptions) {
    this.history = new HistoryWriter({ dir: o.historyDir, db: o.db, rawRetentionDays: o.rawRetentionDays });
  }

  handle(req: SinkRequest): unknown {
    switch (req.op) {
      case 'write':
        return this.write(req.batch);
      case 'sweep':
        return this.history.sweep(req.now);
      case 'open':
        return this.history.openSamples(req.point, req.from, req.to);
      case 'drop':
        return this.history.drop(req.kind, req.key);
      case 'move':
        return (this.move ??= new OldRowsMove(this.o.db, this.history)).slice(req);
    }
  }

  close(): void {
    this.history.close();
  }

  private write(b: SampleBatch): BatchOutcome {
    for (const [idx, name] of b.newPoints) this.names[idx] = name;
    const outcome = this.history.writeColumns(
      { names: this.names, pidx: b.pidx, ts: b.ts, val: b.val, q: b.q },
      b.now,
      b.key,
    );
    let latestProblem: string | null = null;
    if (b.latest?.length) {
      try {
        writeLatest(this.o.db, b.latest);
      } catch (err) {
        latestProblem = (err as Error).message;
      }
    }
    return { ...outcome, latestProblem };
  }
}
