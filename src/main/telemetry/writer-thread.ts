/**
 * The writer thread (src/main/telemetry/sample-sink.ts): commits telemetry sample batches over
 * its own connection, one transaction per batch, and answers each with ok or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from '../store/connection';
import { QUALITY_CODES, type SampleBatch } from './sample-sink';
import { insertSamples, UPDATE_LATEST, UPSERT_ROLLUP } from './sql';

const db = openConnection((workerData as { file: string }).file);
const ROWS = 64;
const one = db.prepare(insertSamples(1));
// One statement for many rows: far fewer crossings into SQLite per sample.
const many = db.prepare(insertSamples(ROWS));
const rollup = db.prepare(UPSERT_ROLLUP);
const latest = db.prepare(UPDATE_LATEST);
const names: string[] = [];
const args: unknown[] = new Array(ROWS * 4);

/** Commits a batch; returns how many samples were already stored (same point, same time). */
const write = db.transaction((b: SampleBatch): number => {
  const n = b.pidx.length;
  let inserted = 0;
  let i = 0;
  for (; i + ROWS <= n; i += ROWS) {
    for (let j = 0; j < ROWS; j++) {
      const k = i + j;
      args[j * 4] = names[b.pidx[k]!];
      args[j * 4 + 1] = b.ts[k];
      args[j * 4 + 2] = b.val[k];
      args[j * 4 + 3] = QUALITY_CODES[b.q[k]!];
    }
    inserted += many.run(args).changes;
  }
  for (; i < n; i++) inserted += one.run(names[b.pidx[i]!], b.ts[i], b.val[i], QUALITY_CODES[b.q[i]!]).changes;
  for (const r of b.rollups ?? []) rollup.run(r.pointId, r.bucket, r.min, r.max, r.mean, r.last, r.count);
  for (const [id, value, quality, ts] of b.latest ?? []) latest.run(value, quality, ts, id);
  return n - inserted;
});

parentPort!.on('message', ({ id, batch }: { id: number; batch: SampleBatch }) => {
  try {
    for (const [idx, name] of batch.newPoints) names[idx] = name;
    const duplicates = write(batch);
    parentPort!.postMessage({ id, ok: true, duplicates });
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, message: (err as Error).message });
  }
});
