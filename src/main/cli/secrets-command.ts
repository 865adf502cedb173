import type { Command } from 'commander';
import {
  assertSecretName,
  KeytarSecretStore,
  SECRET_NAMES,
  SecretRefused,
  SecretStoreUnavailable,
  type SecretName,
} from '../secrets/secret-store';
import { MachineSecretProblem, machineSecrets } from '../secrets/machine-secrets';
import { CliError, runCommand } from './run';
import { readSecretInput } from './stdin';
import { maintenance } from './store-access';

/** Exit code when the OS keychain cannot be used (documented in DEPLOYMENT.md). */
export const EXIT_KEYCHAIN_UNAVAILABLE = 4;

const HELP_AFTER = `
Known secrets: ${SECRET_NAMES.join(', ')}.
Secrets live in the OS keychain of the account that runs Plainview (Secret Service on Linux,
Keychain on macOS, Credential Manager on Windows), never in a variable or log. With --machine,
an administrator sets one for every account of the machine: on Windows encrypted with DPAPI
(LocalMachine) under ProgramData; on Linux and macOS a root-owned file readable by one group
(default plainview) beside the policy file. The account's own keychain is read first.
Exit codes: 0 done; 1 refused (unknown name, empty value, nothing to delete, no right to
write the machine's secrets);
4 the OS keychain is not available (Linux: start and unlock a Secret Service such as gnome-keyring);
130 cancelled with Ctrl-C at the prompt.`;

/** Runs a secrets command, turning the store's errors into one line and their exit code. */
function run(fn: () => Promise<void>): Promise<never> {
  return runCommand(async () => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof SecretStoreUnavailable) throw new CliError(err.message, EXIT_KEYCHAIN_UNAVAILABLE);
      if (err instanceof SecretRefused || err instanceof MachineSecretProblem) throw new CliError(err.message, 1);
      throw err;
    }
  });
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The value comes from stdin only, never argv or the environment, which other processes can read. */
function readValue(name: SecretName): Promise<string> {
  return readSecretInput(`value for ${name} (input hidden, Enter to finish): `);
}

interface Where {
  machine?: boolean;
  group?: string;
}

/** What the audit entry names: the secret and whose it is, never its value. */
const secretSubject = (name: string, where: Where) => `${name} (${where.machine ? 'machine' : 'this account'})`;

async function secretsSet(name: string, where: Where): Promise<void> {
  assertSecretName(name);
  if (where.machine) {
    const machine = machineSecrets();
    const value = await readValue(name);
    if (value === '') throw new SecretRefused(`the value for ${name} is empty; nothing was stored`);
    await machine.set(name, value, where.group);
    return out(`stored ${name} for this machine in ${machine.location(name)}`);
  }
  const store = new KeytarSecretStore();
  // Fail before asking for the value if the keychain cannot even be reached.
  await store.list();
  const value = await readValue(name);
  if (value === '') throw new SecretRefused(`the value for ${name} is empty; nothing was stored`);
  await store.set(name, value);
  out(`stored ${name} in the OS keychain`);
}

async function secretsDelete(name: string, where: Where): Promise<void> {
  assertSecretName(name);
  if (where.machine) {
    const machine = machineSecrets();
    if (!(await machine.delete(name)))
      throw new SecretRefused(`${name} is not set for this machine; nothing was deleted`);
    return out(`deleted ${name} from ${machine.location(name)}`);
  }
  if (!(await new KeytarSecretStore().delete(name))) {
    throw new SecretRefused(`${name} is not in the OS keychain; nothing was deleted`);
  }
  out(`deleted ${name} from the OS keychain`);
}

async function secretsList(where: Where): Promise<void> {
  if (where.machine) {
    const names = await machineSecrets().list();
    if (names.length === 0) process.stderr.write('no Plainview secrets set for this machine\n');
    for (const name of names) out(name);
    return;
  }
  const names = await new KeytarSecretStore().list();
  if (names.length === 0) process.stderr.write('no Plainview secrets in the OS keychain\n');
  for (const name of names) out(name);
}

/** `plainview secrets set|delete|list [--machine]`: needs neither the configuration nor the database. */
export function registerSecretsCommands(program: Command): void {
  const secrets = program
    .command('secrets')
    .description("manage the station's secrets in the OS keychain (values are never printed)")
    .addHelpText('after', HELP_AFTER);
  secrets
    .command('set')
    .description(
      'store a secret, reading the value from stdin: typed without echo at a terminal, or piped ' +
        '(one trailing newline is removed); never pass the value as an argument',
    )
    .argument('<name>', `one of: ${SECRET_NAMES.join(', ')}`)
    .option('--machine', "for every account of this machine (an administrator's command), not this account's keychain")
    .option(
      '--group <group>',
      'with --machine: who may read it besides administrators (default: plainview; Windows: Users)',
    )
    .addHelpText('after', HELP_AFTER)
    .action((name: string, where: Where) =>
      run(() => maintenance('secret.set', secretSubject(name, where), () => secretsSet(name, where))),
    );
  secrets
    .command('delete')
    .description('remove a secret from the OS keychain (or, with --machine, the machine); exit 1 if it was not there')
    .argument('<name>', `one of: ${SECRET_NAMES.join(', ')}`)
    .option('--machine', "the machine's secret, not this account's")
    .addHelpText('after', HELP_AFTER)
    .action((name: string, where: Where) =>
      run(() => maintenance('secret.delete', secretSubject(name, where), () => secretsDelete(name, where))),
    );
  secrets
    .command('list')
    .description("print the names of the stored secrets, one per line (never the values); --machine: the machine's")
    .option('--machine', "the machine's secrets, not this account's")
    .addHelpText('after', HELP_AFTER)
    .action((where: Where) => run(() => secretsList(where)));
}
