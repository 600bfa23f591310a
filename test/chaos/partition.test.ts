import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ThreadlineClient } from '../../client/sdk/index.ts';
import type { Comment } from '../../contract/index.ts';
import { connectSocket, makeUser, request as emit, type ClientSocket, type TestUser } from '../support/clients.ts';
import type { TestRedis } from '../support/redis.ts';
import { startRedis } from '../support/redis.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { SlowLink } from '../support/slow-link.ts';
import { closeViewers, expectEveryViewerHolds, repeats, watchThread, type Viewer } from '../support/viewers.ts';
import { eventually } from '../support/wait.ts';
import { storedComments } from '../support/probe.ts';

/**
 * A network partition between one server and Redis (a TCP proxy that cuts connections, or holds
 * bytes in one or both directions), while SDK clients post through that server. During it the
 * server answers `unavailable` (it does not hang); afterwards it serves again. The SDK retries with
 * the post's clientId, so a post whose script ran but whose reply was held is stored once, and
 * every acknowledged post is stored.
 */
let redis: TestRedis;
let link: SlowLink;
let cutOff: TestServer;
let other: TestServer;
const threadId = 'partitioned';

beforeAll(async () => {
  redis = await startRedis();
  link = new SlowLink(redis.port, 0);
  await link.start();
  const env = { REDIS_PREFIX: 'part:' };
  cutOff = await startServer(link.url, env);
  other = await startServer(redis.url, env);
});

afterAll(async () => {
  await cutOff?.close();
  await other?.close();
  await link?.stop();
  await redis?.stop();
});

/** One post over a raw socket on the partitioned server: its ack, however long it takes to come. */
let probeN = 0;
const rawPost = (socket: ClientSocket, body: string) =>
  emit(socket, 'comment:post', { threadId, body, clientId: `partition-probe-${++probeN}` }, 15_000);

describe('a partition between one server and Redis', () => {
  it('answers unavailable during it, serves after it, and loses or doubles no acknowledged post', async () => {
    const users: TestUser[] = await Promise.all([0, 1, 2].map((i) => makeUser({ handle: `part_user_${i}` })));
    const posters: ThreadlineClient[] = users.map((u) =>
      connect({ url: cutOff.url, token: u.token, socket: { transports: ['websocket'] } }),
    );
    const probeUser = await makeUser({ handle: 'part_probe' });
    const probe = await connectSocket(cutOff.url, probeUser.token);
    let viewers: Viewer[] = [];
    const acked: Comment[] = [];
    let posting = true;
    let loops: Promise<void>[] = [];
    try {
      await request(other.url).get(`/api/threads/${threadId}`).expect(200);
      viewers = await watchThread([cutOff.url, other.url], threadId, 6, { socket: { transports: ['websocket'] } });
      loops = posters.map(async (p, i) => {
        for (let k = 0; posting; k++) {
          const body = `user ${i} post ${k}`;
          acked.push(await p.post({ threadId, body })); // the SDK retries retryable failures itself
        }
      });
      const ackedBefore = async (n: number) => eventually(() => expect(acked.length).toBeGreaterThanOrEqual(n), 15_000, 50);

      const outcomes: Record<string, unknown> = {};
      for (const fault of ['cut', 'hold replies', 'hold both'] as const) {
        await ackedBefore(acked.length + 3);
        if (fault === 'cut') link.cut();
        else link.hold(fault === 'hold replies' ? ['replies'] : ['requests', 'replies']);
        const res = await rawPost(probe, `probe during ${fault}`);
        const ready = await request(cutOff.url).get('/readyz');
        outcomes[fault] = { post: res.ok ? 'ok' : res.error.code, readyz: ready.status };
        link.heal();
      }
      expect(outcomes, 'the partitioned server during each fault').toEqual({
        cut: { post: 'unavailable', readyz: 503 },
        'hold replies': { post: 'unavailable', readyz: 503 },
        'hold both': { post: 'unavailable', readyz: 503 },
      });

      // Healed: it serves again.
      await eventually(async () => expect((await rawPost(probe, 'probe after healing')).ok).toBe(true), 15_000, 200);
      await ackedBefore(acked.length + 3);
      posting = false;
      await Promise.all(loops);

      const stored = await storedComments(other.url, threadId);
      const storedPosts = stored.filter((c) => c.body.startsWith('user '));
      expect(repeats(storedPosts.map((c) => c.body)), 'posts stored twice').toEqual([]);
      const storedIds = new Set(stored.map((c) => c.id));
      expect(
        acked.filter((c) => !storedIds.has(c.id)).map((c) => c.body),
        'acknowledged posts that are not stored',
      ).toEqual([]);
      expect(storedPosts.map((c) => c.id).sort(), 'stored posts = acknowledged posts').toEqual(acked.map((c) => c.id).sort());
      await expectEveryViewerHolds(
        viewers,
        stored.map((c) => c.id),
        30_000,
      );
    } finally {
      posting = false;
      link.heal();
      for (const p of posters) p.close();
      // A post still waiting when the test failed is rejected by close(): not the failure to report.
      await Promise.allSettled(loops);
      probe.disconnect();
      closeViewers(viewers);
    }
  });
});
