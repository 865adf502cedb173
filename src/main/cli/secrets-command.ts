import type { Command } from 'commander';
import {
  assertSecretName,
  KeytarSecretStore,
  SECRET_NAMES,
  SecretRefused,
  SecretStoreUnavailable,
  type SecretName,
} from '../secrets/secret-store';
import { CliError, runCommand } from './run';
import { readSecretInput } from './stdin';

/** Exit code when the OS keychain cannot be used (documented in DEPLOYMENT.md). */
export const EXIT_KEYCHAIN_UNAVAILABLE = 4;

const HELP_AFTER = `
Known secrets: ${SECRET_NAMES.join(', ')}.
Secrets live only in the OS keychain (Secret Service on Linux, Keychain on macOS,
Credential Manager on Windows), never in a file, variable or log.
Exit codes: 0 done; 1 refused (unknown name, empty value, nothing to delete);
4 the OS keychain is not available (Linux: start and unlock a Secret Service such as gnome-keyring);
130 cancelled with Ctrl-C at the prompt.`;

/** Runs a secrets command, turning the store's errors into one line and their exit code. */
function run(fn: () => Promise<void>): Promise<never> {
  return runCommand(async () => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof SecretStoreUnavailable) throw new CliError(err.message, EXIT_KEYCHAIN_UNAVAILABLE);
      if (err instanceof SecretRefused) throw new CliError(err.message, 1);
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

async function secretsSet(name: string): Promise<void> {
  assertSecretName(name);
  const store = new KeytarSecretStore();
  // Fail before asking for the value if the keychain cannot even be reached.
  await store.list();
  const value = await readValue(name);
  if (value === '') throw new SecretRefused(`the value for ${name} is empty; nothing was stored`);
  await store.set(name, value);
  out(`stored ${name} in the OS keychain`);
}

async function secretsDelete(name: string): Promise<void> {
  assertSecretName(name);
  if (!(await new KeytarSecretStore().delete(name))) {
    throw new SecretRefused(`${name} is not in the OS keychain; nothing was deleted`);
  }
  out(`deleted ${name} from the OS keychain`);
}

async function secretsList(): Promise<void> {
  const names = await new KeytarSecretStore().list();
  if (names.length === 0) process.stderr.write('no Plainview secrets in the OS keychain\n');
  for (const name of names) out(name);
}

/** `plainview secrets set|delete|list`: needs neither the configuration nor the database. */
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
    .addHelpText('after', HELP_AFTER)
    .action((name: string) => run(() => secretsSet(name)));
  secrets
    .command('delete')
    .description('remove a secret from the OS keychain; exit 1 if it was not there')
    .argument('<name>', `one of: ${SECRET_NAMES.join(', ')}`)
    .addHelpText('after', HELP_AFTER)
    .action((name: string) => run(() => secretsDelete(name)));
  secrets
    .command('list')
    .description('print the names of the stored secrets, one per line (never the values)')
    .addHelpText('after', HELP_AFTER)
    .action(() => run(secretsList));
}
