import type { Command } from 'commander';

/** `plainview sim …`: filled in by the simulator work. */
export function registerSimCommand(_program: Command): void {}
