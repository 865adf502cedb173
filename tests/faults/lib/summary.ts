import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RESULTS_DIR, type FaultResult } from './report';

const DOC = path.resolve(__dirname, '../../../docs/reliability.md');

/**
 * Writes the lines the faults reported into docs/reliability.md, between the markers of the
 * mode that ran (the other mode's results stay as they were), and into
 * test-results/faults-summary.md.
 */
export function writeSummary(startedAt: number): void {
  let files: string[];
  try {
    files = fs.readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return;
  }
  const results = files
    .map((f) => JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, f), 'utf8')) as FaultResult)
    .sort((a, b) => a.order - b.order);
  if (!results.length) return;
  const mode = results[0]!.mode;
  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
  const block = [
    `Last ${mode} run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${minutes} min, ` +
      `${os.cpus().length} cores, Node ${process.versions.node}.`,
    '',
    ...results.map((r) => `- ${r.ok ? 'PASS' : '**FAIL**'} ${r.line}`),
  ].join('\n');
  fs.writeFileSync(path.resolve(RESULTS_DIR, '..', 'faults-summary.md'), `${block}\n`);
  let doc: string;
  try {
    doc = fs.readFileSync(DOC, 'utf8');
  } catch {
    return;
  }
  const start = `<!-- faults:${mode}:start -->`;
  const end = `<!-- faults:${mode}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return;
  fs.writeFileSync(DOC, `${doc.slice(0, i + start.length)}\n\n${block}\n\n${doc.slice(j)}`);
}
