/**
 * Scenario 3, memory: RSS and heap of a server holding N idle connections
 * (1k, 5k, 10k), for Threadline and plain Socket.IO 4.8, and the slope
 * (bytes per connection) from a least-squares line through the points.
 */
import { startRedis } from '../../test/support/redis.ts';
import { Cleanup } from '../lib/cleanup.ts';
import { LeanClient, openMany } from '../lib/lean-client.ts';
import {
  BENCH_RELAXED_LIMITS,
  GC_ON_SIGNAL,
  procRss,
  startBaselineProcess,
  startServerProcess,
  type ServerProcess,
} from '../lib/processes.ts';
import { ratioMetric, round, type Scenario } from '../lib/types.ts';

async function heapUsed(server: ServerProcess, kind: 'threadline' | 'baseline'): Promise<number> {
  if (kind === 'baseline') return ((await (await fetch(`${server.url}/memory`)).json()) as { heapUsed: number }).heapUsed;
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? 0);
}

/** After full GCs (both kinds of server get the same preload), so garbage does not count as per-connection cost. */
async function settle(server: ServerProcess, kind: 'threadline' | 'baseline') {
  await new Promise((r) => setTimeout(r, 1_000));
  let rss = Number.POSITIVE_INFINITY;
  let heap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    server.child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 300));
    rss = Math.min(rss, procRss(server.child.pid!));
    heap = Math.min(heap, await heapUsed(server, kind));
  }
  return { rss, heap };
}

function slope(points: { n: number; v: number }[]): number {
  const mx = points.reduce((a, p) => a + p.n, 0) / points.length;
  const my = points.reduce((a, p) => a + p.v, 0) / points.length;
  const num = points.reduce((a, p) => a + (p.n - mx) * (p.v - my), 0);
  const den = points.reduce((a, p) => a + (p.n - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function measure(kind: 'threadline' | 'baseline', counts: number[], redisUrl: string) {
  const clients: LeanClient[] = [];
  const points: { n: number; rss: number; heap: number }[] = [];
  const cleanup = new Cleanup();
  try {
    const server = cleanup.add(
      kind === 'threadline'
        ? await startServerProcess(
            { REDIS_URL: redisUrl, WORKERS: 'off', ...BENCH_RELAXED_LIMITS, PRESENCE_INTERVAL_MS: '60000' },
            GC_ON_SIGNAL,
          )
        : await startBaselineProcess('sio-server', [], GC_ON_SIGNAL),
      (s) => s.stop(),
    );
    cleanup.defer(() => clients.forEach((c) => c.close()));
    points.push({ n: 0, ...(await settle(server, kind)) });
    for (const target of counts) {
      clients.push(...(await openMany(() => new LeanClient(server.url, 'none'), target - clients.length)));
      points.push({ n: target, ...(await settle(server, kind)) });
    }
  } finally {
    await cleanup.run();
  }
  const measured = points.filter((p) => p.n > 0);
  return {
    points,
    rssPerConnection: slope(measured.map((p) => ({ n: p.n, v: p.rss }))),
    heapPerConnection: slope(measured.map((p) => ({ n: p.n, v: p.heap }))),
  };
}

export const memory: Scenario = async (ctx) => {
  const counts = ctx.quick ? [500, 1_000, 2_000] : [1_000, 5_000, 10_000];
  const cleanup = new Cleanup();
  try {
    const redis = cleanup.add(await startRedis(), (r) => r.stop());
    ctx.log(`memory at ${counts.join(', ')} idle connections`);
    const tl = await measure('threadline', counts, redis.url);
    const sio = await measure('baseline', counts, redis.url);
    for (const [name, r] of [
      ['Threadline', tl],
      ['plain Socket.IO', sio],
    ] as const) {
      ctx.log(
        `  ${name}: ${r.points.map((p) => `${p.n}: RSS ${round(p.rss / 2 ** 20, 1)} MiB, heap ${round(p.heap / 2 ** 20, 1)} MiB`).join('; ')}`,
      );
    }
    const kb = (b: number) => round(b / 1024, 2);
    return {
      name: 'memory',
      valid: true,
      notes: ['slope of a least-squares line through the points; each point measured after forced full GCs in the server'],
      raw: { threadline: tl, socketio: sio },
      metrics: [
        ratioMetric(
          'RSS per idle connection',
          'KiB',
          kb(tl.rssPerConnection),
          { name: 'plain Socket.IO', value: kb(sio.rssPerConnection) },
          { text: '≤ 1.0×', ok: (x) => x <= 1 },
        ),
        ratioMetric(
          'heap per idle connection',
          'KiB',
          kb(tl.heapPerConnection),
          { name: 'plain Socket.IO', value: kb(sio.heapPerConnection) },
          { text: '≤ 1.0×', ok: (x) => x <= 1 },
        ),
        {
          name: `RSS at ${counts.at(-1)} connections`,
          value: round(tl.points.at(-1)!.rss / 2 ** 20, 1),
          unit: `MiB (Socket.IO ${round(sio.points.at(-1)!.rss / 2 ** 20, 1)} MiB)`,
        },
      ],
    };
  } finally {
    await cleanup.run();
  }
};
