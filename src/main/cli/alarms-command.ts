import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { DefinitionList, definitionChanges, type DefinitionSet } from '../../shared/limits';
import { SqlDefinitionStore } from '../limits/store';
import { CliError, configOrExit, runCommand } from './run';
import { audited, maintenance, withStore } from './store-access';

/** `plainview alarms export [FILE]`: the definitions in force, as a file `import` takes back. */
async function exportDefinitions(file?: string): Promise<void> {
  await withStore((store) => {
    const set = new SqlDefinitionStore(store.sql).latest();
    const text = `${JSON.stringify(set ?? { version: 0, definitions: [] }, null, 2)}\n`;
    if (!file) return void process.stdout.write(text);
    fs.writeFileSync(file, text);
    process.stderr.write(
      `wrote version ${set?.version ?? 0} (${set?.definitions.length ?? 0} definitions) to ${file}\n`,
    );
  });
}

/** Reads a definitions file: `{ "definitions": [...] }` (what `export` writes) or the list alone. */
function readDefinitions(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, 2);
  }
  const list = Array.isArray(json) ? json : (json as { definitions?: unknown } | null)?.definitions;
  const parsed = DefinitionList.safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${file}: definitions.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, 2);
  }
  return parsed.data;
}

/**
 * `plainview alarms import FILE --reason TEXT`: the next version of the site's definitions,
 * recorded with its management-of-change record and audited. A running station takes it
 * within seconds and sends it to the other stations.
 */
async function importDefinitions(file: string, reason: string): Promise<void> {
  const definitions = readDefinitions(file);
  if (!reason.trim()) throw new CliError('--reason: a change to the alarm definitions needs its reason', 2);
  const { config } = configOrExit();
  await withStore((store) => {
    const defs = new SqlDefinitionStore(store.sql);
    const before = defs.latest();
    const changes = definitionChanges(before?.definitions ?? [], definitions);
    if (!changes.length) throw new CliError('nothing changes: the file holds the definitions in force');
    const next: DefinitionSet = {
      version: (before?.version ?? 0) + 1,
      site: config.siteId,
      changedAt: new Date().toISOString(),
      changedBy: `os:${os.userInfo().username}`,
      station: config.stationId,
      reason: reason.trim(),
      definitions,
    };
    store.sql.transaction(() => {
      defs.put(next, changes);
      audited(store, 'alarm_definitions.imported', `v${next.version}`, {
        reason: next.reason,
        file,
        changes: changes.slice(0, 200),
        changes_total: changes.length,
      });
    });
    for (const c of changes)
      process.stdout.write(
        `${c.change}\t${c.point}\t${c.condition}${c.field ? `\t${c.field}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}` : ''}\n`,
      );
    process.stderr.write(
      `version ${next.version} recorded (${changes.length} changes); a running station takes it within seconds\n`,
    );
  });
}

export function registerAlarmCommands(program: Command): void {
  const alarms = program
    .command('alarms')
    .description(
      'the site-wide alarm definitions: limits on analog points, with their rationalization (docs/alarms.md)',
    );
  alarms
    .command('export')
    .argument('[file]', 'write to FILE instead of stdout')
    .description('the definitions in force, as JSON that `import` takes back')
    .action((file?: string) => runCommand(() => exportDefinitions(file)));
  alarms
    .command('import')
    .argument('<file>', 'a JSON file: { "definitions": [...] }, as `export` writes')
    .requiredOption('--reason <text>', 'why the definitions change (the management-of-change record)')
    .description('record the next version of the definitions, audited; every station of the site takes it')
    .action((file: string, o: { reason: string }) =>
      runCommand(() => maintenance('alarm_definitions.import', file, () => importDefinitions(file, o.reason), null)),
    );
}
