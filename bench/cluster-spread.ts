/**
 * `npx tsx bench/cluster-spread.ts`: the posting load on a real 3-master Redis
 * Cluster (test/support/redis-cluster.ts), three servers. Prints each master's
 * share of the commands (INFO commandstats) while users post into many threads,
 * then Redis bytes out per node while one hot thread, watched only on server 0,
 * takes posts (docs/benchmarks.md, docs/scaling.md).
 */
import { io } from 'socket.io-client';
import { makeUser, type TestUser } from '../test/support/clients.ts';
import { startRedisCluster } from '../test/support/redis-cluster.ts';
import { startServer, type TestServer } from '../test/support/server.ts';

const THREADS = 30;
const USERS = 60;
const POSTS = 900;

async function masterStats(cluster: Awaited<ReturnType<typeof startRedisCluster>>) {
  const out = new Map<number, { calls: number; bytesOut: number }>();
  for (const m of cluster.client.nodes('master')) {
    const stats = await m.info('commandstats');
    const calls = [...stats.matchAll(/calls=(\d+)/g)].reduce((a, x) => a + Number(x[1]), 0);
    const net = Number(/total_net_output_bytes:(\d+)/.exec(await m.info('stats'))![1]);
    out.set(Number(m.options.port), { calls, bytesOut: net });
  }
  return out;
}

const diff = (a: Map<number, { calls: number; bytesOut: number }>, b: Map<number, { calls: number; bytesOut: number }>) =>
  [...b].map(([port, v]) => ({ port, calls: v.calls - a.get(port)!.calls, bytesOut: v.bytesOut - a.get(port)!.bytesOut }));

async function post(server: TestServer, user: TestUser, threadId: string, body: string) {
  const res = await fetch(`${server.url}/api/threads/${threadId}/comments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body }),
  });
  if (res.status !== 201) throw new Error(`post: ${res.status} ${await res.text()}`);
}

const cluster = await startRedisCluster();
const url = `redis://127.0.0.1:${cluster.nodes[0]!.port}`;
const env = { REDIS_PREFIX: 'b:', REDIS_CLUSTER_NODES: cluster.nodesEnv };
const servers = [await startServer(url, env), await startServer(url, env), await startServer(url, env)];
try {
  const users = await Promise.all(Array.from({ length: USERS }, (_, i) => makeUser({ handle: `bench_user_${i}` })));
  // Warm-up: every user known, every thread made.
  for (let i = 0; i < USERS; i++) await post(servers[i % 3]!, users[i]!, `article-${i % THREADS}`, `hello ${i}`);

  const before = await masterStats(cluster);
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      for (let i = next++; i < POSTS; i = next++) {
        await post(servers[i % 3]!, users[i % USERS]!, `article-${(i * 7) % THREADS}`, `comment ${i} with some words in it`);
      }
    }),
  );
  const seconds = (Date.now() - t0) / 1000;
  const spread = diff(before, await masterStats(cluster));
  const mean = spread.reduce((a, s) => a + s.calls, 0) / spread.length;
  console.log(`posting: ${POSTS} posts into ${THREADS} threads by ${USERS} users through 3 servers in ${seconds.toFixed(1)} s`);
  for (const s of spread) {
    console.log(
      `  master :${s.port}: ${s.calls} commands (${(s.calls / seconds).toFixed(0)}/s, ${(s.calls / mean).toFixed(2)}x mean), ${(s.bytesOut / POSTS).toFixed(0)} bytes out per post`,
    );
  }

  // One hot thread, 20 viewers, all on server 0.
  const hot = 'hot-thread';
  const viewers = await Promise.all(
    Array.from({ length: 20 }, () => {
      const s = io(servers[0]!.url, { transports: ['websocket'], forceNew: true });
      return new Promise<typeof s>((resolve) => s.once('session', () => s.emit('thread:join', { threadId: hot }, () => resolve(s))));
    }),
  );
  let received = 0;
  for (const v of viewers) v.on('thread:event', () => received++);
  const before2 = await masterStats(cluster);
  const HOT_POSTS = 200;
  for (let i = 0; i < HOT_POSTS; i++) await post(servers[1 + (i % 2)]!, users[i % USERS]!, hot, `hot comment ${i}`);
  await new Promise((r) => setTimeout(r, 500));
  const hotSpread = diff(before2, await masterStats(cluster));
  const shard = cluster.client.nodes('master');
  console.log(`hot thread: ${HOT_POSTS} posts from servers 1 and 2, ${viewers.length} viewers on server 0, ${received} events delivered`);
  for (const s of hotSpread) console.log(`  master :${s.port}: ${(s.bytesOut / HOT_POSTS).toFixed(0)} bytes out per post`);
  for (const m of shard) {
    const clients = (await m.client('LIST')) as string;
    const subs = clients.split('\n').filter((l) => /ssub=[1-9]/.test(l)).length;
    console.log(`  master :${m.options.port}: ${subs} connections with shard subscriptions`);
  }
  for (const v of viewers) v.disconnect();
} finally {
  for (const s of servers) await s.close();
  await cluster.stop();
}
