/**
 * Scenario 5, history: latency of a page of 50 (newest, middle, oldest) from
 * one thread holding 1e3, 1e5 and 1e6 comments, over HTTP against a real
 * server. The thread is filled through the same write script as live posts.
 */
import { Redis } from 'ioredis';
import { createDeps } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { newCommentId, newEpoch } from '../../server/domain/ids.ts';
import { createLogger } from '../../server/logger.ts';
import { connectRedis } from '../../server/store/redis.ts';
import { startRedis } from '../../test/support/redis.ts';
import { BENCH_SECRET, startServerProcess } from '../lib/processes.ts';
import { latencyHistogram } from '../lib/stats.ts';
import { round, type Metric, type Scenario } from '../lib/types.ts';

const THREAD = 'bench-history';

export const history: Scenario = async (ctx) => {
  const sizes = ctx.quick ? [1_000, 10_000] : [1_000, 100_000, 1_000_000];
  const requests = ctx.quick ? 100 : 300;
  const redis = await startRedis();
  const config = loadConfig({ REDIS_URL: redis.url, AUTH_JWT_SECRET: BENCH_SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test' });
  const command = await connectRedis(redis.url, undefined);
  const deps = await createDeps({ config, redis: command, log: createLogger('silent'), jwtSecret: BENCH_SECRET });
  const server = await startServerProcess({ REDIS_URL: redis.url, WORKERS: 'off', RATE_IP: '1000000' });
  const admin = new Redis(redis.url);
  const byPage: Record<string, Record<number, ReturnType<ReturnType<typeof latencyHistogram>['summary']>>> = { newest: {}, middle: {}, oldest: {} };
  try {
    let stored = 0;
    for (const size of sizes) {
      const started = performance.now();
      // Fill in batches: many write scripts in flight at once, as under real load.
      while (stored < size) {
        const batch = Math.min(2_000, size - stored);
        await Promise.all(
          Array.from({ length: batch }, (_, i) =>
            deps.store.comments.insert({
              threadId: THREAD,
              commentId: newCommentId(THREAD),
              parentId: null,
              author: { id: `author-${(stored + i) % 500}`, handle: `author_${(stored + i) % 500}`, name: 'An Author' },
              body: `History comment number ${stored + i}, long enough to look like a real one, more or less.`,
              mentions: [],
              status: 'visible',
              epochCandidate: newEpoch(),
              clientId: undefined,
              moderation: null,
              ignoreLock: false,
            }),
          ),
        );
        stored += batch;
      }
      ctx.log(`  ${size.toLocaleString('en-US')} comments (filled in ${round((performance.now() - started) / 1000, 1)} s)`);
      const visibleKey = deps.store.keys.thread.visible(THREAD);
      const [, middleScore] = await admin.zrange(visibleKey, Math.floor(size / 2), Math.floor(size / 2), 'WITHSCORES');
      const urls = {
        newest: `${server.url}/api/threads/${THREAD}/comments?limit=50`,
        middle: `${server.url}/api/threads/${THREAD}/comments?limit=50&cursor=${middleScore}`,
        oldest: `${server.url}/api/threads/${THREAD}/comments?limit=50&order=oldest`,
      };
      for (const [page, url] of Object.entries(urls)) {
        const hist = latencyHistogram();
        for (let i = 0; i < 20; i++) await (await fetch(url)).arrayBuffer(); // warm up
        for (let i = 0; i < requests; i++) {
          const t0 = performance.now();
          const res = await fetch(url);
          const body = (await res.json()) as { comments: unknown[] };
          if (body.comments.length !== 50) throw new Error(`page ${page} had ${body.comments.length} comments`);
          hist.record(performance.now() - t0);
        }
        byPage[page]![size] = hist.summary();
        ctx.log(`    ${page}: p50 ${hist.summary().p50} ms, p99 ${hist.summary().p99} ms`);
      }
    }
  } finally {
    admin.disconnect();
    await deps.queues.close();
    command.disconnect();
    await server.stop();
    await redis.stop();
  }
  const small = sizes[0]!;
  const large = sizes.at(-1)!;
  const metrics: Metric[] = [];
  for (const page of ['newest', 'middle', 'oldest']) {
    const a = byPage[page]![small]!;
    const b = byPage[page]![large]!;
    const ratio = round(b.p99 / a.p99, 2);
    metrics.push({
      name: `${page} page p99 at ${large.toLocaleString('en-US')} comments`,
      value: b.p99,
      unit: `ms (p50 ${b.p50} ms)`,
      baseline: { name: `same page at ${small.toLocaleString('en-US')}`, value: a.p99 },
      ratio,
      target: '≤ 1.2×',
      meetsTarget: ratio <= 1.2,
    });
  }
  return { name: 'history', valid: true, notes: [`${requests} sequential requests per page and size, after 20 warm-up requests`], metrics, raw: byPage };
};
