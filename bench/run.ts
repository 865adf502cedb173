/**
 * `npm run bench [-- --quick] [-- --only ingest,api]`: every benchmark of issues 9 and 20, each station
 * figure beside its baseline measured in the same run; prints the table, writes
 * bench/results/<time>.json and (full runs) the table in docs/performance.md. `--long`: the
 * memory bench's 30-minute run (bench/memory.ts) instead of its 3-minute one.
 */
import path from 'node:path';
import type { Bench } from './lib/bench';
import { machine } from './lib/machine';
import { save, table, type Figure } from './lib/report';
import { ingestBench } from './ingest';
import { diskBench } from './disk';
import { actuationBench } from './actuation';
import { apiBench } from './api';
import { apiLoadBench } from './api-load';
import { startupBench } from './startup';
import { historyBench } from './history';
import { memoryBench } from './memory';
import { rendererBench } from './renderer';

const benches: Bench[] = [
  ingestBench,
  diskBench,
  actuationBench,
  apiBench,
  apiLoadBench,
  startupBench,
  historyBench,
  rendererBench,
  memoryBench,
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(args[onlyAt + 1]?.split(',')) : null;
  const root = path.resolve(__dirname, '..');
  const m = machine();
  const started = new Date();
  console.log(
    `Plainview benchmarks (${quick ? 'quick' : 'full'}) on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}`,
  );
  const figures: Figure[] = [];
  for (const b of benches) {
    if (only && !only.has(b.id)) continue;
    const t0 = Date.now();
    console.log(`\n${b.title}…`);
    try {
      figures.push(...(await b.run({ quick, runs: quick ? 1 : 3, root, log: (l) => console.log(l) })));
    } catch (err) {
      console.error(`  ${b.id} failed: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    }
    console.log(`  (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  console.log(`\n${table(figures)}\n`);
  const mode = only ? 'partial' : quick ? 'quick' : 'full';
  console.log(`results: ${path.relative(root, save(root, m, mode, figures, started))}`);
  console.log(`total: ${Math.round((Date.now() - started.getTime()) / 1000)} s`);
  process.exit(process.exitCode ?? 0);
}

void main();
