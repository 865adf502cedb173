/**
 * How big should an ingest commit be? Writes telemetry samples into a real store (WAL,
 * synchronous=FULL) in transactions of different sizes and reports rows per second and the
 * time one commit holds the event loop. `npm run bench:commit`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrations } from '../migrations';
import { createLogger } from '../src/main/log';
import { openStore } from '../src/main/store';

const SIZES = [1, 10, 100, 1000, 5000, 20000];
const ROWS = 60_000;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-'));
  const log = createLogger({ level: 'error', json: true, sinks: [] });
  const { store } = await openStore({ dataDir: dir, migrations, log, mode: 'station' });
  const insert = store.db.prepare("INSERT OR IGNORE INTO telemetry_samples VALUES (?, ?, ?, 'good')");
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; ${ROWS} rows per size; 5,000 points`);
  console.log('batch rows | rows/s    | ms per commit (median) | ms per commit (max)');
  let ts = Date.now();
  for (const size of SIZES) {
    const times: number[] = [];
    const rows = Math.max(ROWS, size * 3);
    const start = process.hrtime.bigint();
    for (let done = 0; done < rows; done += size) {
      const t0 = process.hrtime.bigint();
      store.db.transaction(() => {
        for (let i = 0; i < size; i++) insert.run(`p-${(done + i) % 5000}`, ts++, Math.random());
      })();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    console.log(
      `${String(size).padStart(10)} | ${String(Math.round(rows / secs)).padStart(9)} | ${median.toFixed(3).padStart(22)} | ${times.at(-1)!.toFixed(3).padStart(19)}`,
    );
  }
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
