import { defineConfig } from 'vitest/config';

/**
 * Fault tests (npm run test:chaos): processes killed, connections cut, Redis restarted, hundreds
 * of clients. Slower than the main suite, so they run after it (.ci/run), one file at a time.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
