import { Worker } from 'node:worker_threads';

/**
 * Starts one of the station's worker threads by its path without extension, e.g.
 * `path.join(__dirname, 'writer-thread')`: from sources (tests, benchmarks) through tsx, from
 * the bundle as built (every entry and chunk sits in out/main, so `__dirname` finds it).
 */
export function startThread(base: string, workerData: unknown): Worker {
  if (__filename.endsWith('.ts')) {
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(`${base}.ts`)});`, { eval: true, workerData });
  }
  return new Worker(`${base}.js`, { workerData });
}
