/**
 * How big should an ingest commit be? Writes telemetry samples into history files as the writer
 * thread does (src/main/history/writer.ts: per commit one journal record in the day's samples
 * file, WAL, synchronous=FULL, plus the blocks that filled, then their minute and hour
 * rollups) in commits of different sizes, and reports samples per second and the time one
 * commit takes (what it would hold an event loop for). `npm run bench:commit`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrations } from '../migrations';
import type { DaySample } from '../src/main/history/day-writer';
import { HistoryWriter } from '../src/main/history/writer';
import { createLogger } from '../src/main/log';
import { openStore } from '../src/main/store';

const SIZES = [1, 10, 100, 500, 1000, 5000, 20000];
const SAMPLES = 60_000;
/** Few enough points that blocks fill (256 samples) and are written during the run, as under a flood. */
const POINTS = 100;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-'));
  const log = createLogger({ level: 'error', json: true, sinks: [] });
  const { store } = await openStore({ dataDir: dir, migrations, log, mode: 'station' });
  const history = new HistoryWriter({ dir: path.join(dir, 'history'), db: store.db, rawRetentionDays: 7 });
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; ${SAMPLES} samples per size; ${POINTS} points`);
  console.log('samples per commit | samples/s | ms per commit (median) | ms per commit (max)');
  let ts = Date.now() - 3_600_000;
  for (const size of SIZES) {
    const times: number[] = [];
    const total = Math.max(SAMPLES, size * 3);
    const start = process.hrtime.bigint();
    for (let done = 0; done < total; done += size) {
      const batch: DaySample[] = [];
      for (let i = 0; i < size; i++)
        batch.push({
          point: `p-${(done + i) % POINTS}`,
          ts: ts++,
          value: Math.round(Math.random() * 10_000) / 100,
          quality: 0,
        });
      const t0 = process.hrtime.bigint();
      history.write(batch, ts);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    console.log(
      `${String(size).padStart(18)} | ${String(Math.round(total / secs)).padStart(9)} | ${median.toFixed(3).padStart(22)} | ${times.at(-1)!.toFixed(3).padStart(19)}`,
    );
  }
  history.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
