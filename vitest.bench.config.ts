import { defineConfig } from 'vitest/config';

/** The benchmark smoke test, run on its own after the main suite. */
export default defineConfig({
  test: {
    include: ['test/bench-smoke.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 300_000,
  },
});
