/**
 * The writer thread (src/main/telemetry/sample-sink.ts): turns sample batches into history
 * (src/main/history) and latest values, over connections of its own, and answers each request
 * with its value or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from '../store/connection';
import { SampleHost, type SinkRequest } from './sample-host';

const options = workerData as { file: string; historyDir: string; rawRetentionDays: number };
const db = openConnection(options.file);
const host = new SampleHost({ db, historyDir: options.historyDir, rawRetentionDays: options.rawRetentionDays });

let closed = false;

parentPort!.on('message', ({ id, req }: { id: number; req: SinkRequest | { op: 'close' } }) => {
  // Asked after the close: left unanswered; the main thread takes it over (sample-sink.ts).
  if (closed) return;
  if (req.op === 'close') {
    closed = true;
    host.close();
    db.close();
    return void parentPort!.postMessage({ id, ok: true, value: null });
  }
  try {
    parentPort!.postMessage({ id, ok: true, value: host.handle(req) });
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, message: (err as Error).message });
  }
});
