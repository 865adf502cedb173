import { defineConfig } from 'vitest/config';

/**
 * The fault-injection suite (tests/faults, docs/reliability.md): run it with
 * `npm run test:faults` (full) or `npm run test:faults -- --fast` (what `npm test` runs).
 * Its files end in `.fault.ts`, so the main suite (vitest.config.ts) never picks them up.
 */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.fault.ts'],
    environment: 'node',
    globalSetup: ['tests/faults/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: two fault files at once.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/faults.json' },
  },
});
