import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn processes and open real databases; two cores run two files at once.
    pool: 'forks',
    maxWorkers: 2,
  },
});
