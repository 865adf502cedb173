import { InvalidArgumentError, type Command } from 'commander';
import { auditCsv, auditJsonl } from '../../shared/audit';
import { AuditLog } from '../audit/audit-log';
import { writePrivateFile } from '../config/data-dir';
import { runCommand } from './run';
import { withStore } from './store-access';

function isoTime(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError('a time like 2026-11-25 or 2026-11-25T08:00:00Z');
  return new Date(t).toISOString();
}

interface ExportOptions {
  since?: string;
  until?: string;
  format: 'csv' | 'jsonl';
  output?: string;
}

/** `plainview audit export`: the audit log for regulators and investigations, to stdout or a file. */
async function exportAudit(o: ExportOptions): Promise<void> {
  await withStore((store) => {
    const audit = new AuditLog(store.sql);
    const entries = audit.list({ since: o.since, until: o.until, limit: Number.MAX_SAFE_INTEGER });
    const text = o.format === 'csv' ? auditCsv(entries) : auditJsonl(entries);
    if (o.output) {
      // Who did what, when: readable by the exporting account only, like the database it comes from.
      writePrivateFile(o.output, text);
      process.stderr.write(`wrote ${entries.length} audit entries to ${o.output}\n`);
    } else process.stdout.write(text);
  });
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the append-only audit log');
  audit
    .command('export')
    .description('export audit entries (UTC times; --until is exclusive) as CSV or JSON lines')
    .option('--since <time>', 'first moment to include (ISO 8601)', isoTime)
    .option('--until <time>', 'first moment to leave out (ISO 8601)', isoTime)
    .option(
      '--format <format>',
      'csv or jsonl',
      (v) => {
        if (v !== 'csv' && v !== 'jsonl') throw new InvalidArgumentError('csv or jsonl');
        return v;
      },
      'csv',
    )
    .option('--output <file>', 'write to FILE instead of stdout')
    .action((o: ExportOptions) => runCommand(() => exportAudit(o)));
}
