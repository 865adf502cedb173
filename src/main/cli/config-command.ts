import type { Command } from 'commander';
import { formatShownConfig, showConfig } from '../config/show';
import { configOrExit, runCommand } from './run';

/**
 * `plainview config show`: every effective value and where it came from (the policy file,
 * an environment variable, .env, the settings file, the default), secrets masked. Ignored
 * values are listed on stderr, so stdout stays the answer (JSON with --json).
 */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('the configuration this station would start with');
  config
    .command('show')
    .description('print every effective value with its source; secrets masked')
    .option('--json', 'one JSON object for IT tooling')
    .action((o: { json?: boolean }) =>
      runCommand(() => {
        const shown = showConfig(configOrExit());
        if (o.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
        else {
          process.stdout.write(formatShownConfig(shown));
          for (const w of shown.warnings) process.stderr.write(`plainview: warning: ${w}\n`);
        }
        return Promise.resolve(0);
      }),
    );
}
