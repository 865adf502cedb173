import { ConfigError, loadConfig, type LoadedConfig } from '../config';
import { StoreError } from '../store';

/** Thrown by a command to stop with one line on stderr and a chosen exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * Runs a command and turns any failure into one clear line and an exit code: 2 for
 * configuration, the store's own code for store refusals, 1 for the rest.
 */
export async function runCommand(fn: () => Promise<number | void>): Promise<never> {
  try {
    const code = await fn();
    process.exit(code ?? 0);
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof StoreError || err instanceof CliError;
    process.stderr.write(
      `plainview: ${known ? err.message : `unexpected error: ${(err as Error).stack ?? String(err)}`}\n`,
    );
    process.exit(known ? err.exitCode : 1);
  }
}

export function configOrExit(): LoadedConfig {
  return loadConfig();
}
