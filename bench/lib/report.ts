import fs from 'node:fs';
import path from 'node:path';
import type { Machine } from './machine';
import type { Spread } from './stats';

/**
 * One measured figure: the station's and its baseline's, measured side by side in the same
 * run, their ratio, and the target it is held to.
 */
export interface Figure {
  /** `ingest.qos1`, `api.valves`, … */
  id: string;
  what: string;
  unit: string;
  station: Spread;
  /** Absent where the target is absolute (start-up time, a p99). */
  baseline?: Spread & { what: string };
  /** station ÷ baseline (throughput) or station − baseline (overhead), on medians. */
  ratio?: number;
  target: string;
  met: boolean;
  /** Why it was missed, or anything else a reader needs. */
  note?: string;
}

const fmt = (n: number) =>
  Number.isNaN(n) ? '—' : Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
const cell = (s: Spread) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;

export function table(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.what,
    `${cell(f.station)} ${f.unit}`,
    f.baseline ? `${cell(f.baseline)} ${f.unit} (${f.baseline.what})` : '—',
    f.ratio === undefined ? '—' : f.ratio.toFixed(2),
    f.target,
    f.met ? 'met' : '**missed**',
  ]);
  const head = ['What', 'Station, median (min–max)', 'Baseline, same run', 'Ratio', 'Target', ''];
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/**
 * Writes `bench/results/<time>.json` and, for a full run (or a quick one while the document
 * holds no full run), the latest table into docs/performance.md.
 */
export function save(root: string, m: Machine, mode: string, figures: readonly Figure[], started: Date): string {
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${started.toISOString().replace(/[:.]/g, '-')}${mode === 'full' ? '' : `-${mode}`}.json`,
  );
  fs.writeFileSync(file, `${JSON.stringify({ started: started.toISOString(), mode, machine: m, figures }, null, 2)}\n`);
  const doc = path.join(root, 'docs', 'performance.md');
  const text = fs.readFileSync(doc, 'utf8');
  // A partial run never writes the table; a quick one does not replace a full run's.
  if (mode === 'full' || (mode === 'quick' && !text.includes('<!-- bench:start -->\nA full run'))) {
    const block = [
      '<!-- bench:start -->',
      `${mode === 'quick' ? 'A quick run (`--quick`: one run per figure, shorter floods; a full run replaces it)' : 'A full run'}, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. Each figure: median of its runs (min–max); notes below the table.`,
      '',
      table(figures),
      '',
      ...figures.filter((f) => f.note).map((f) => `- **${f.what}**: ${f.note}`),
      '<!-- bench:end -->',
    ].join('\n');
    const next = text.includes('<!-- bench:start -->')
      ? text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block)
      : `${text.trimEnd()}\n\n## Latest results\n\n${block}\n`;
    fs.writeFileSync(doc, next);
  }
  return file;
}
