import { InvalidArgumentError, type Command } from 'commander';
import { auditCsv, auditJsonl } from '../../shared/audit';
import { AuditLog } from '../audit/audit-log';
import type { ChainHead } from '../audit/chain';
import { writePrivateFile } from '../config/data-dir';
import { AuditHeadMessage, topics } from '../../shared/protocol';
import { collectRetained } from './fleet-command';
import { CliError, configOrExit, runCommand } from './run';
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

function chainHead(value: string): ChainHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('a chain head like 1234:<64 hex digits>, as the handover report prints it');
  return { seq: Number(m[1]), hash: m[2]! };
}

/**
 * `plainview audit verify`: walks the whole chain and names the first row that does not
 * verify (exit 1). With `--head`, the log must also hold that head (one published off the
 * workstation, or printed on a handover report): a log rewritten from some row on, hashes
 * and all, verifies by itself but no longer holds the heads published before.
 */
async function verifyAudit(o: { head?: ChainHead; broker?: boolean }): Promise<number> {
  const published = o.broker ? await brokerHead() : null;
  const head = o.head ?? published ?? undefined;
  return withStore((store) => {
    const audit = new AuditLog(store.sql);
    const check = audit.verify();
    if (!check.ok) {
      const b = check.broken;
      throw new CliError(`the audit log is BROKEN at row ${b.id} (${b.at}, ${b.action}): ${b.problem}`);
    }
    if (head) {
      const held = audit.headAt(head.seq);
      if (!held)
        throw new CliError(
          `the audit log ends at row ${check.head.seq}: it does not hold row ${head.seq} of the head given`,
        );
      if (held.hash !== head.hash)
        throw new CliError(
          `the audit log does not hold the head given: row ${head.seq} has another hash (the log was rewritten from that row or before)`,
        );
    }
    process.stdout.write(`audit log: ok, ${check.rows} rows, head ${check.head.seq}:${check.head.hash}\n`);
    return 0;
  });
}

/** The head this station published (retained) on the site broker; a station that never did is an error. */
async function brokerHead(): Promise<ChainHead> {
  const { config } = configOrExit();
  let found: ChainHead | null = null;
  const topic = topics.auditHead(config.siteId, config.stationId);
  await collectRetained(config, [topic], {}, (t, json) => {
    const m = AuditHeadMessage.safeParse(json);
    if (t !== topic || !m.success) return false;
    found = { seq: m.data.seq, hash: m.data.hash };
  });
  if (!found) throw new CliError(`the broker holds no audit head for station ${config.stationId} (${topic})`);
  const head: ChainHead = found;
  process.stderr.write(`the broker holds head ${head.seq}:${head.hash} for station ${config.stationId}\n`);
  return head;
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
  audit
    .command('verify')
    .description(
      "check the audit log's hash chain from its first row; exit 1 naming the first row that does not verify",
    )
    .option(
      '--head <seq:hash>',
      'a chain head published earlier (broker, handover report) that the log must still hold',
      chainHead,
    )
    .option('--broker', 'also check it against the head this station last published on the site broker')
    .action((o: { head?: ChainHead; broker?: boolean }) => runCommand(() => verifyAudit(o)));
}
