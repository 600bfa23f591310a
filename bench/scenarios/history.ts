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
import { Cleanup } from '../lib/cleanup.ts';
import { BENCH_RELAXED_LIMITS, BENCH_SECRET, startServerProcess } from '../lib/processes.ts';
import { latencyHistogram } from '../lib/stats.ts';
import { round, type Metric, type Scenario } from '../lib/types.ts';

const THREAD = 'bench-history';

export const history: Scenario = async (ctx) => {
  const sizes = ctx.quick ? [1_000, 10_000] : [1_000, 100_000, 1_000_000];
  const requests = ctx.quick ? 100 : 300;
  const byPage: Record<string, Record<number, ReturnType<ReturnType<typeof latencyHistogram>['summary']>>> = {
    newest: {},
    middle: {},
    oldest: {},
  };
  const cleanup = new Cleanup();
  try {
    const redis = cleanup.add(await startRedis(), (r) => r.stop());
    const config = loadConfig({ REDIS_URL: redis.url, AUTH_JWT_SECRET: BENCH_SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test' });
    const command = cleanup.add(await connectRedis(redis.url, undefined), (r) => r.disconnect());
    const deps = await createDeps({ config, redis: command, log: createLogger('silent'), jwtSecret: BENCH_SECRET });
    cleanup.defer(() => deps.queues.close());
    const server = cleanup.add(await startServerProcess({ REDIS_URL: redis.url, WORKERS: 'off', ...BENCH_RELAXED_LIMITS }), (s) =>
      s.stop(),
    );
    const admin = cleanup.add(new Redis(redis.url), (r) => r.disconnect());
    // One thread per size, filled first; then all sizes are measured
    // interleaved, so they share the same conditions (Redis memory, noise).
    const urls: { size: number; page: string; url: string }[] = [];
    for (const size of sizes) {
      const threadId = `${THREAD}-${size}`;
      const started = performance.now();
      for (let stored = 0; stored < size;) {
        const batch = Math.min(2_000, size - stored);
        await Promise.all(
          Array.from({ length: batch }, (_, i) =>
            deps.store.comments.insert({
              threadId,
              commentId: newCommentId(threadId),
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
      const [, middleScore] = await admin.zrange(
        deps.store.keys.thread.visible(threadId),
        Math.floor(size / 2),
        Math.floor(size / 2),
        'WITHSCORES',
      );
      const base = `${server.url}/api/threads/${threadId}/comments?limit=50`;
      urls.push(
        { size, page: 'newest', url: base },
        { size, page: 'middle', url: `${base}&cursor=${middleScore}` },
        { size, page: 'oldest', url: `${base}&order=oldest` },
      );
    }
    const hists = new Map(urls.map((u) => [u, latencyHistogram()]));
    for (const u of urls) for (let i = 0; i < 20; i++) await (await fetch(u.url)).arrayBuffer(); // warm up
    for (let i = 0; i < requests; i++) {
      for (const u of urls) {
        const t0 = performance.now();
        const body = (await (await fetch(u.url)).json()) as { comments: unknown[] };
        if (body.comments.length !== 50) throw new Error(`${u.page} page at ${u.size} had ${body.comments.length} comments`);
        hists.get(u)!.record(performance.now() - t0);
      }
    }
    for (const u of urls) {
      byPage[u.page]![u.size] = hists.get(u)!.summary();
      ctx.log(
        `    ${u.size.toLocaleString('en-US')} ${u.page}: p50 ${byPage[u.page]![u.size]!.p50} ms, p99 ${byPage[u.page]![u.size]!.p99} ms`,
      );
    }
  } finally {
    await cleanup.run();
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
  return {
    name: 'history',
    valid: true,
    notes: [`${requests} requests per page and size, sizes interleaved (one thread per size), after 20 warm-up requests each`],
    metrics,
    raw: byPage,
  };
};
