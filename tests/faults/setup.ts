import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { RESULTS_DIR } from './lib/report';
import { FIXTURE } from './lib/station-proc';
import { writeSummary } from './lib/summary';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Before the suite: bundles the fixture station (tests/faults/fixture/station.ts) and the
 * worker threads beside it, as the real build does (packages stay in node_modules), so each of
 * the hundreds of station starts takes a fraction of a second rather than a TypeScript
 * compile. After it: the results go into docs/reliability.md.
 */
export default async function setup(): Promise<() => void> {
  const startedAt = Date.now();
  fs.rmSync(RESULTS_DIR, { recursive: true, force: true });
  await build({
    entryPoints: {
      station: path.join(ROOT, 'tests/faults/fixture/station.ts'),
      'writer-thread': path.join(ROOT, 'src/main/telemetry/writer-thread.ts'),
      'backup-thread': path.join(ROOT, 'src/main/store/backup-thread.ts'),
    },
    outdir: path.dirname(FIXTURE),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return () => writeSummary(startedAt);
}
