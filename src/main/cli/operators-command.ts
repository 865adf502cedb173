import os from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { OperatorRole, type OperatorRecord } from '../../shared/operators';
import { topics } from '../../shared/protocol';
import type { Result } from '../../shared/refusal';
import { createLogger, streamSink } from '../log';
import { MIN_SECRET } from '../../shared/operators';
import { OperatorChanges } from '../operators/changes';
import { normaliseUsername, OperatorDirectory } from '../operators/directory';
import { HybridClock } from '../sync/hlc';
import { Outbox } from '../sync/outbox';
import { CliError, configOrExit, runCommand } from './run';
import { readSecretInput } from './stdin';
import { audited, maintenance, withStore } from './store-access';

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

interface Tools {
  changes: OperatorChanges;
  directory: OperatorDirectory;
  /** Who acts: the OS account that runs the command. */
  by: string;
}

/**
 * Runs a change as the station would make it: written with its clock timestamp, audited, and
 * its record queued in the station's outbox in one transaction. This command does not
 * publish; the running station sends it within seconds, or the next one to start does.
 */
async function change(fn: (t: Tools) => void | Promise<void>): Promise<void> {
  const { config } = configOrExit();
  await withStore(async (store) => {
    const now = () => new Date();
    const log = createLogger({ level: 'warn', json: config.jsonLogging, sinks: [streamSink(process.stderr)] });
    const outbox = new Outbox(
      store.db,
      { online: () => false, publish: () => Promise.reject(new Error('the command line does not publish')) },
      log,
      now,
    );
    const directory = new OperatorDirectory(store.sql, now);
    const changes = new OperatorChanges({
      sql: store.sql,
      directory,
      clock: new HybridClock(config.stationId, () => Date.now()),
      stationId: config.stationId,
      now,
      due: (name) => outbox.enqueueSnapshot(topics.operatorRecord(config.siteId, config.stationId, name)),
      audit: (e) => audited(store, e.action, e.subject, e.detail),
      warn: (message, fields) => log.warn(message, fields),
    });
    try {
      await fn({ changes, directory, by: `os:${os.userInfo().username}` });
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError((err as Error).message);
    }
  });
}

/** The record, or the refusal as the command's one line (exit 1). */
function done(r: Result<OperatorRecord>): OperatorRecord {
  if (!r.ok) throw new CliError(`${r.refusal.message.replace(/\.$/, '')}; nothing was changed`);
  return r.value;
}

/** A change: its success audits itself on every station (sync); a refusal is audited here. */
const refusalsAudited = (action: string, name: string, fn: Parameters<typeof change>[0]) =>
  maintenance(action, name, () => change(fn), null);

export function registerOperatorCommands(program: Command): void {
  const ops = program
    .command('operators')
    .description(
      'site-wide operator accounts for sign-on (PLAINVIEW_OPERATOR_SIGN_ON): a change here reaches every station of the site; passwords and PINs are read from stdin, only their hashes are shared',
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
        refusalsAudited('operator.add', name, async ({ changes, directory, by }) => {
          if (directory.get(name))
            throw new CliError(`operator ${name} already exists; use \`plainview operators passwd\``);
          done(changes.create(by, { username: name, displayName: o.name, role: o.role, secret: await secret(name) }));
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
        refusalsAudited('operator.passwd', name, async ({ changes, directory, by }) => {
          if (!directory.get(name)) throw new CliError(`no operator ${name}`);
          done(changes.reset(by, name, await secret(name)));
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
          ? 'stop an operator from signing on at every station of the site (the account and its history stay); ends their session where they are signed on'
          : 'allow a disabled operator to sign on again at every station',
      )
      .argument('<username>', 'the operator', username)
      .action((name: string) =>
        runCommand(() =>
          refusalsAudited(`operator.${cmd}`, name, ({ changes, directory, by }) => {
            if (!directory.get(name)) throw new CliError(`no operator ${name}`);
            // Already so: nothing to change, and a script that makes sure of it succeeds.
            if (directory.get(name)!.disabled === disabled) return out(`${name} is ${cmd}d already; nothing changed`);
            done(disabled ? changes.disable(by, name) : changes.enable(by, name));
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
        change(({ directory }) => {
          for (const o of directory.list()) {
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
