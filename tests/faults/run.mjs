#!/usr/bin/env node
// The fault-injection suite (docs/reliability.md). `npm run test:faults` runs the full mode;
// `npm run test:faults -- --fast` (or PLAINVIEW_FAULTS=fast) the fast mode CI runs. Other
// arguments go to vitest (a file name filters the faults).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const fast = args.includes('--fast') || process.env.PLAINVIEW_FAULTS === 'fast';
const rest = args.filter((a) => a !== '--fast' && a !== '--full');
const vitest = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.faults.config.ts', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, PLAINVIEW_FAULTS: fast ? 'fast' : 'full' },
});
process.exit(r.status ?? 1);
