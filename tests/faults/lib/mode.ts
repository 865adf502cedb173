/**
 * Fast mode (CI, `npm test`) or full mode (`npm run test:faults`): the runner
 * (tests/faults/run.mjs) sets PLAINVIEW_FAULTS to `fast` or `full`. Run directly with
 * vitest and nothing set, the suite runs fast.
 */
export const FULL = process.env.PLAINVIEW_FAULTS === 'full';
export const MODE: 'fast' | 'full' = FULL ? 'full' : 'fast';

/** `fast` in fast mode, `full` in full mode. */
export function scale(fast: number, full: number): number {
  return FULL ? full : fast;
}
