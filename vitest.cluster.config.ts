import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the integration files again, each on its own real
 * Redis Cluster (3 masters, 3 replicas; test/support/redis-cluster.ts)
 * instead of one redis-server, so every key, pipeline and Lua script is
 * proved to stay in one slot. Files that kill or restart the whole Redis
 * (outage tests) stay single-Redis only.
 */
export default defineConfig({
  test: {
    include: [
      'test/http-comments.test.ts',
      'test/http-threads.test.ts',
      'test/socket-threads.test.ts',
      'test/recovery-privacy.test.ts',
      'test/notifications.test.ts',
      'test/moderation.test.ts',
      'test/rate-limits.test.ts',
      'test/socket-limits.test.ts',
      'test/mentions.test.ts',
      'test/participants.test.ts',
      'test/screening.test.ts',
      'test/ban-live.test.ts',
      'test/polling.test.ts',
      'test/moderation-access.test.ts',
      'test/data-requests.test.ts',
      'test/redis-cluster/fanout.test.ts',
      // kill -9 of a master (~3 min): not yet green (see docs/scaling.md, Failover), so not in CI; run with TEST_FAILOVER=1.
      ...(process.env.TEST_FAILOVER ? ['test/redis-cluster/failover.test.ts'] : []),
    ],
    env: { TEST_REDIS: 'cluster' },
    pool: 'forks',
    // Six redis-servers per file: one file at a time on a small CI machine.
    maxWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
