import type { Command } from 'commander';

/** `plainview secrets …`: filled in by the secret-store work. */
export function registerSecretsCommands(_program: Command): void {}
