import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { appVersion } from '../version';
import { dbBackup, dbCheck, dbCompact, dbMigrate, dbRollback, dbStatus } from './db-command';
import { runCommand } from './run';
import { maintenance } from './store-access';
import { registerSecretsCommands } from './secrets-command';
import { registerSimCommand } from './sim-command';
import { registerAuditCommands } from './audit-command';
import { registerOperatorCommands } from './operators-command';
import { registerKeyCommands } from './keys-command';
import { registerAlarmCommands } from './alarms-command';
import { registerBrokerCommands } from './broker-command';
import { registerConfigCommands } from './config-command';
import { registerFleetCommand } from './fleet-command';
import { stationCommand } from './station-command';

/*
 * The `plainview` program, built in one place for its two entries: the Node entry
 * (cli/index.ts, `node out/main/cli.js`, `npm run plainview`) and the installed app, whose
 * Electron main process runs the same program when started with a command
 * (shell/cli-dispatch.ts decides, index.ts runs it). Same commands, same output, same exit
 * codes: each command ends through runCommand (cli/run.ts).
 */

function version(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a schema version is a whole number, like 1');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('plainview')
    .description(
      'Plainview station: the control-room core, headless, and its maintenance commands.\nConfiguration comes from the policy file, PLAINVIEW_* variables, .env and settings (see .env.example).',
    )
    .version(appVersion)
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(`plainview: ${text.replace(/^error: /, '')}`) })
    // Commander throws instead of exiting (help, version, usage errors), and runProgram exits
    // with its code. Set before the commands are added, so that each of them inherits it: in
    // Electron process.exit can return (it is app.exit), and parsing must not carry on after it.
    .exitOverride();

  program
    .command('station')
    .description('run the station core without a window, logging to stdout; SIGTERM or SIGINT stops it cleanly')
    .action(() => runCommand(stationCommand));

  const db = program.command('db').description('inspect and maintain the local database');
  db.command('status')
    .description('schema version, pending migrations, size and last backup; the history files')
    .action(() => runCommand(dbStatus));
  db.command('migrate')
    .description('back up, then apply pending migrations')
    .action(() =>
      runCommand(async () => void (await maintenance('db.migrate', 'database', dbMigrate, (c) => ({ ...c })))),
    );
  db.command('rollback')
    .description('back up, then undo migrations (default: the newest one); never below version 1')
    .option('--to <version>', 'the schema version to roll back to', version)
    .option('--accept-loss', 'below schema 9: roll back even if hour rollups without minute rollups are lost')
    .action((opts: { to?: number; acceptLoss?: boolean }) =>
      runCommand(async () => {
        await maintenance(
          'db.rollback',
          `to ${opts.to ?? 'previous'}`,
          () => dbRollback(opts.to, opts.acceptLoss),
          (c) => ({ ...c }),
        );
      }),
    );
  db.command('backup')
    .description('take an online backup into the backups folder, or into FILE; copy the history files due')
    .argument('[file]', 'where to write the backup')
    .action((file?: string) =>
      runCommand(async () => {
        await maintenance(
          'db.backup',
          file ?? 'backups/',
          () => dbBackup(file),
          (b) => ({ ...b }),
        );
      }),
    );
  db.command('compact')
    .description("give the database's free pages back to the disk (VACUUM); the station must be stopped")
    .action(() =>
      runCommand(async () => void (await maintenance('db.compact', 'database', dbCompact, (c) => ({ ...c })))),
    );
  db.command('check')
    .description('run a full integrity check; exit 1 if SQLite finds problems')
    .action(() => runCommand(dbCheck));

  registerSecretsCommands(program);
  registerSimCommand(program);
  registerOperatorCommands(program);
  registerAuditCommands(program);
  registerKeyCommands(program);
  registerAlarmCommands(program);
  registerBrokerCommands(program);
  registerConfigCommands(program);
  registerFleetCommand(program);
  return program;
}

/** The first words that start a command: the top-level command names and aliases, and `help`. */
export function commandNames(program: Command): Set<string> {
  return new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
}

/**
 * Runs the program on the user's arguments (no executable or script path in front). A
 * command exits through runCommand; a usage error, help or version exits with commander's
 * code (its message is already printed); anything else is one line on stderr and exit 1.
 */
export function runProgram(program: Command, args: readonly string[]): void {
  program.parseAsync([...args], { from: 'user' }).catch((err: unknown) => {
    if (err instanceof CommanderError) return process.exit(err.exitCode);
    process.stderr.write(`plainview: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
