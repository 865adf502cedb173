import { InvalidArgumentError, type Command } from 'commander';
import { OperatorRole } from '../../shared/operators';
import { normaliseUsername, OperatorDirectory } from '../operators/directory';
import type { Store } from '../store';
import { CliError, runCommand } from './run';
import { readSecretInput } from './stdin';
import { audited, withStore } from './store-access';

const MIN_SECRET = 4;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function username(value: string): string {
  try {
    return normaliseUsername(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

async function secret(name: string): Promise<string> {
  const value = await readSecretInput(`password or PIN for ${name} (input hidden, Enter to finish): `);
  if (value.length < MIN_SECRET)
    throw new CliError(`a password or PIN has at least ${MIN_SECRET} characters; nothing was changed`);
  return value;
}

async function change(fn: (dir: OperatorDirectory, store: Store) => void | Promise<void>): Promise<void> {
  await withStore(async (store) => {
    const dir = new OperatorDirectory(store.sql, () => new Date());
    try {
      await fn(dir, store);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError((err as Error).message);
    }
  });
}

export function registerOperatorCommands(program: Command): void {
  const ops = program
    .command('operators')
    .description(
      'station accounts for operator sign-on (PLAINVIEW_OPERATOR_SIGN_ON); passwords and PINs are read from stdin',
    );
  ops
    .command('add')
    .description('add an operator; the password or PIN is read from stdin')
    .argument('<username>', 'letters, digits, dots, dashes, underscores', username)
    .requiredOption('--name <display name>', 'the name shown in the console and the audit log')
    .option(
      '--role <role>',
      'viewer, operator or supervisor',
      (v) => {
        const r = OperatorRole.safeParse(v);
        if (!r.success) throw new InvalidArgumentError('viewer, operator or supervisor');
        return r.data;
      },
      'operator',
    )
    .action((name: string, o: { name: string; role: OperatorRole }) =>
      runCommand(() =>
        change(async (dir, store) => {
          if (dir.get(name)) throw new CliError(`operator ${name} already exists; use \`plainview operators passwd\``);
          dir.add(name, o.name, o.role, await secret(name));
          audited(store, 'operator.add', name, { role: o.role });
          out(`added ${name} (${o.role})`);
        }),
      ),
    );
  ops
    .command('passwd')
    .description("set an operator's password or PIN (read from stdin); also lifts a lock-out")
    .argument('<username>', 'the operator', username)
    .action((name: string) =>
      runCommand(() =>
        change(async (dir, store) => {
          if (!dir.get(name)) throw new CliError(`no operator ${name}`);
          dir.setSecret(name, await secret(name));
          audited(store, 'operator.passwd', name);
          out(`changed the password of ${name}`);
        }),
      ),
    );
  for (const [cmd, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    ops
      .command(cmd)
      .description(
        disabled
          ? 'stop an operator from signing on (the account and its history stay)'
          : 'allow a disabled operator to sign on again',
      )
      .argument('<username>', 'the operator', username)
      .action((name: string) =>
        runCommand(() =>
          change((dir, store) => {
            dir.setDisabled(name, disabled);
            audited(store, `operator.${cmd}`, name);
            out(`${cmd}d ${name}`);
          }),
        ),
      );
  }
  ops
    .command('list')
    .description('operators with role and status (never their passwords)')
    .action(() =>
      runCommand(() =>
        change((dir) => {
          for (const o of dir.list()) {
            const status = o.disabled
              ? 'disabled'
              : o.lockedUntil && Date.parse(o.lockedUntil) > Date.now()
                ? `locked until ${o.lockedUntil}`
                : 'active';
            out(`${o.username}\t${o.role}\t${status}\t${o.displayName}`);
          }
        }),
      ),
    );
}
