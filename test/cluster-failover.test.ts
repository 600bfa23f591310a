import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment, ThreadEvent } from '../contract/index.ts';
import { connect, type ThreadlineClient, type ThreadView } from '../client/sdk/index.ts';
import { Balancer } from './support/balancer.ts';
import { connectSocket, makeUser, ok, record, type TestUser } from './support/clients.ts';
import { Cluster } from './support/cluster.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { eventually } from './support/wait.ts';

/** Three real `npm start` processes behind a load balancer, one Redis. */
let redis: TestRedis;
let cluster: Cluster;
let balancer: Balancer;

beforeAll(async () => {
  redis = await startRedis();
  // Recovery must cover the whole outage here: on a loaded machine the nine posting loops store well
  // over RECOVERY_MAX_EVENTS (500) while the victim's clients reconnect, and a reload would show
  // only the newest page (the amplification bound has its own tests in recovery-privacy).
  cluster = new Cluster(redis.url, 'fo:', {
    PRESENCE_TTL_SECONDS: '3',
    PRESENCE_INTERVAL_MS: '250',
    RECOVERY_MAX_EVENTS: '10000',
    RECOVERY_MAX_BYTES: '50000000',
  });
  await cluster.start(3);
  // HTTP-aware and sticky on the Engine.IO session, as nginx is with ip_hash: the SDK starts on long-polling.
  balancer = new Balancer(() => cluster.instances.map((i) => i.port), { xForwardedFor: '$remote_addr' });
  await balancer.start();
}, 60_000);

afterAll(async () => {
  await balancer?.stop();
  await cluster?.stop();
  await redis?.stop();
});

async function allComments(threadId: string): Promise<Comment[]> {
  const out: Comment[] = [];
  let cursor: string | null = null;
  do {
    const res: { body: { comments: Comment[]; nextCursor: string | null } } = await request(cluster.instances[0]!.url)
      .get(`/api/threads/${threadId}/comments`)
      .query({ order: 'oldest', limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...res.body.comments);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

describe('an instance is killed with -9 while clients post', () => {
  it('moves its clients to the others; every client ends with exactly the stored comments and every post stored once', async () => {
    const threadId = 'failover';
    const clients: { sdk: ThreadlineClient; view: ThreadView; events: ThreadEvent[]; user: TestUser }[] = [];
    // Every SDK client made here, closed in `finally` whether or not the test got that far.
    const sdks: ThreadlineClient[] = [];
    let posting = true;
    const posts: Promise<Comment>[] = [];
    let postLoops: Promise<void>[] = [];
    try {
      for (let i = 0; i < 9; i++) {
        const user = await makeUser({ name: `Reader ${i}` });
        const sdk = connect({ url: balancer.url, token: user.token, socket: { reconnectionDelay: 100, reconnectionDelayMax: 500 } });
        sdks.push(sdk);
        const events: ThreadEvent[] = [];
        const view = await sdk.joinThread(threadId, { onEvent: (e) => events.push(e) });
        clients.push({ sdk, view, events, user });
      }
      const victim = cluster.instances[1]!;

      // Posts each client has had stored, in all and since the kill.
      const stored = clients.map(() => 0);
      const storedSinceKill = clients.map(() => 0);
      let killed = false;
      postLoops = clients.map(async (c, i) => {
        for (let k = 0; posting; k++) {
          const p = c.sdk.post({ threadId, body: `reader ${i} post ${k}` });
          posts.push(p);
          p.then(
            () => {
              stored[i]!++;
              if (killed) storedSinceKill[i]!++;
            },
            () => {},
          );
          await Promise.race([p, new Promise((r) => setTimeout(r, 50))]);
        }
      });
      // Every client is posting before the kill...
      await eventually(
        () => expect(Math.min(...stored), 'posts stored for the client with fewest, before the kill').toBeGreaterThanOrEqual(3),
        10_000,
      );
      await cluster.kill(victim);
      killed = true;
      // ...and every client, the victim's included (over another instance), has posts stored after it.
      await eventually(
        () => expect(Math.min(...storedSinceKill), 'posts stored since the kill for the client with fewest').toBeGreaterThanOrEqual(3),
        15_000,
      );
      posting = false;
      await Promise.all(postLoops);
      const results = await Promise.all(posts);

      const final = await allComments(threadId);
      expect(final).toHaveLength(posts.length);
      expect(new Set(results.map((c) => c.id)).size).toBe(posts.length);
      const expectedIds = final.map((c) => c.id);
      for (const c of clients) {
        await eventually(() => expect(c.view.comments.map((x) => x.id)).toEqual(expectedIds), 10_000);
        const offsets = c.events.map((e) => e.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        expect(new Set(offsets).size).toBe(offsets.length);
      }
      await cluster.add();
    } finally {
      posting = false;
      await Promise.allSettled(postLoops);
      // Closing rejects posts still in an SDK's outbox; that only matters when the test already failed.
      for (const p of posts) p.catch(() => {});
      for (const sdk of sdks) sdk.close();
    }
  }, 60_000);
});

describe('presence when an instance crashes', () => {
  it('counts viewers across instances and drops the crashed instance’s viewers within the TTL', async () => {
    const threadId = 'presence-crash';
    const [a, b] = cluster.instances;
    const watcher = await connectSocket(a!.url);
    const counts = record(watcher, 'thread:presence');
    await ok(watcher, 'thread:join', { threadId });
    const onB = [await connectSocket(b!.url), await connectSocket(b!.url)];
    for (const s of onB) await ok(s, 'thread:join', { threadId });
    await eventually(() => expect(counts.seen.at(-1)?.viewers).toBe(3), 5_000);

    await cluster.kill(b!);
    // Its sockets never said goodbye; the count must still fall once their entries expire (TTL 3 s here).
    await eventually(() => expect(counts.seen.at(-1)?.viewers).toBe(1), 8_000);
    watcher.disconnect();
    await cluster.add();
  }, 30_000);
});
