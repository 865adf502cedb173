import fs from 'node:fs';
import path from 'node:path';
import { MODE } from './mode';

export const RESULTS_DIR = path.resolve(__dirname, '../../../test-results/faults');

export interface FaultResult {
  /** Order in the summary. */
  order: number;
  fault: string;
  /** The one line a person reads. */
  line: string;
  mode: 'fast' | 'full';
  ok: boolean;
}

/**
 * Prints a fault's line and keeps it for the summary (tests/faults/setup.ts writes them into
 * docs/reliability.md once the suite is done). Call it before asserting, with `ok` saying
 * whether everything the fault must hold held, so a failing fault still has its line.
 */
export function report(order: number, fault: string, line: string, ok: boolean): void {
  const r: FaultResult = { order, fault, line, mode: MODE, ok };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${order}.json`), JSON.stringify(r));
  process.stdout.write(`\n  ${ok ? '✓' : '✗'} ${line}\n`);
}
