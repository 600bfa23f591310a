import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The benchmark smoke test runs alone afterwards (npm run test:bench-smoke); the fault tests
    // in test/chaos have their own run (npm run test:chaos), test/redis-cluster/ runs in
    // `npm run test:cluster` (vitest.cluster.config.ts).
    exclude: ['test/bench-smoke.test.ts', 'test/chaos/**', 'test/redis-cluster/**', 'node_modules/**'],
    // Each test file starts its own redis-server on a free port, so files can
    // run in parallel without sharing state.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
