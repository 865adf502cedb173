import { InvalidArgumentError, type Command } from 'commander';
import { ApiKeys, type ApiKeyRecord, type KeyScope } from '../api/keys';
import type { Store } from '../store';
import { CliError, runCommand } from './run';
import { audited, maintenance, withStore } from './store-access';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function scope(value: string): KeyScope {
  if (value !== 'read' && value !== 'write') throw new InvalidArgumentError('read or write');
  return value;
}

async function withKeys(fn: (keys: ApiKeys, store: Store) => void): Promise<void> {
  await withStore((store) => {
    try {
      fn(new ApiKeys(store.sql, () => new Date()), store);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError((err as Error).message);
    }
  });
}

const status = (k: ApiKeyRecord) => (k.revokedAt ? `revoked ${k.revokedAt}` : 'active');

/** `plainview keys`: API keys of the loopback HTTP API (docs/api.md). */
/** A key change: its success audits itself (with the key's id); a refusal is audited here. */
const refusalsAudited = (action: string, name: string, fn: (keys: ApiKeys, store: Store) => void) =>
  maintenance(action, name, () => withKeys(fn), null);

export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys for the loopback HTTP API (PLAINVIEW_API_ENABLED); the station keeps only their digests');
  keys
    .command('create')
    .description('create a key and print it once: store it in the integration now, it cannot be shown again')
    .requiredOption('--name <name>', 'what the key is for (letters, digits, dots, dashes, underscores)')
    .requiredOption('--scope <scope>', 'read (GET routes) or write (also actuation and alarm/incident changes)', scope)
    .action((o: { name: string; scope: KeyScope }) =>
      runCommand(() =>
        refusalsAudited('api_key.create', o.name, (k, store) => {
          const { key, record } = k.create(o.name, o.scope);
          audited(store, 'api_key.create', record.name, { scope: record.scope, id: record.id });
          process.stderr.write(
            `created ${record.name} (${record.scope}); the key follows on stdout and is not shown again. Send it in the X-API-Key header.\n`,
          );
          out(key);
        }),
      ),
    );
  keys
    .command('list')
    .description('keys with scope, creation, last use and status (never the keys)')
    .action(() =>
      runCommand(() =>
        withKeys((k) => {
          for (const r of k.list())
            out(`${r.name}\t${r.scope}\tcreated ${r.createdAt}\tlast used ${r.lastUsedAt ?? 'never'}\t${status(r)}`);
        }),
      ),
    );
  keys
    .command('revoke')
    .description('revoke a key: a running station refuses it from the next request')
    .argument('<name>', 'the key')
    .action((name: string) =>
      runCommand(() =>
        refusalsAudited('api_key.revoke', name, (k, store) => {
          const r = k.revoke(name);
          if (!r) throw new CliError(`no API key named ${name}`);
          if (!r.changed) return out(`${name} was revoked already, at ${r.record.revokedAt}`);
          audited(store, 'api_key.revoke', name, { scope: r.record.scope, id: r.record.id });
          out(`revoked ${name}`);
        }),
      ),
    );
}
