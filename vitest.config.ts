import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // Ceilings, not waits: a test that spawns processes or a broker takes many times longer on a
    // machine under load (npm run test:loaded), and must still pass there.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // Tests spawn processes and open real databases; two cores run two files at once.
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
