import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Comment } from '../../contract/index.ts';
import { connect, type ThreadlineClient, type ThreadView } from '../../client/sdk/index.ts';
import { createKeys } from '../../server/store/keys.ts';
import { startWorkers, type RunningWorkers } from '../../workers/index.ts';
import { connectSocket, makeUser, request as emit, type ClientSocket, type TestUser } from '../support/clients.ts';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { signIn } from '../support/users.ts';
import { eventually } from '../support/wait.ts';

/**
 * kill -9 of the master that owns a busy thread's slot, while clients post
 * and watch on two servers. The figures (time to resume, `unavailable`
 * answers, acknowledged comments lost) are printed for docs/scaling.md;
 * only what must always hold is asserted.
 */
const PREFIX = 'fo:';
let cluster: TestRedisCluster | undefined;
let servers: TestServer[] = [];
let workers: RunningWorkers | undefined;
const sdks: ThreadlineClient[] = [];
const sockets: ClientSocket[] = [];

afterEach(async () => {
  for (const sdk of sdks.splice(0)) sdk.close();
  for (const s of sockets.splice(0)) s.disconnect();
  await workers?.close();
  workers = undefined;
  for (const s of servers) await s.close();
  servers = [];
  await cluster?.stop();
  cluster = undefined;
});

async function allComments(url: string, threadId: string): Promise<Comment[]> {
  const out: Comment[] = [];
  let cursor: string | null = null;
  do {
    const res: { body: { comments: Comment[]; nextCursor: string | null } } = await request(url)
      .get(`/api/threads/${threadId}/comments`)
      .query({ order: 'oldest', limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...res.body.comments);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

async function failover(waitReplicas: '0' | '1') {
  cluster = await startRedisCluster({ nodeTimeoutMs: 2_000 });
  const env = {
    REDIS_PREFIX: PREFIX,
    REDIS_CLUSTER_NODES: cluster.nodesEnv,
    REDIS_WAIT_REPLICAS: waitReplicas,
    REDIS_WAIT_TIMEOUT_MS: '1000',
    OUTBOX_SWEEP_SECONDS: '1',
    OUTBOX_GRACE_SECONDS: '1',
    RECOVERY_MAX_EVENTS: '10000',
    RECOVERY_MAX_BYTES: '50000000',
  };
  for (let i = 0; i < 2; i++) servers.push(await startServer(`redis://127.0.0.1:${cluster.nodes[0]!.port}`, env));
  workers = await startWorkers(servers[0]!.app.deps);

  const threadId = 'busy';
  const victim = await cluster.masterOf(createKeys(PREFIX).thread.meta(threadId));
  const watcher = await makeUser({ handle: `watcher_${waitReplicas}` });
  // Known to the service (mentions resolve only users it has seen).
  await signIn(servers[0]!, watcher);

  // Viewers and posters: SDK clients (which retry a post with its clientId until acknowledged) on both servers.
  const clients: { sdk: ThreadlineClient; view: ThreadView; user: TestUser }[] = [];
  for (let i = 0; i < 4; i++) {
    const user = await makeUser();
    const sdk = connect({ url: servers[i % 2]!.url, token: user.token, socket: { reconnectionDelay: 100, reconnectionDelayMax: 500 } });
    sdks.push(sdk);
    clients.push({ sdk, user, view: await sdk.joinThread(threadId) });
  }
  // One raw socket poster that sees every answer, `unavailable` included.
  const rawUser = await makeUser();
  const raw = await connectSocket(servers[1]!.url, rawUser.token);
  sockets.push(raw);

  const acked = new Set<string>();
  const answers: { at: number; code: string }[] = [];
  let posting = true;
  let killedAt = 0;
  const loops = clients.map(async (c, i) => {
    for (let k = 0; posting; k++) {
      const body = k % 5 === 0 ? `@${watcher.handle} reader ${i} post ${k}` : `reader ${i} post ${k}`;
      const posted = c.sdk.post({ threadId, body }).then((comment) => acked.add(comment.id));
      await Promise.race([posted, new Promise((r) => setTimeout(r, 40))]);
      posted.catch(() => {});
    }
  });
  loops.push(
    (async () => {
      for (let k = 0; posting; k++) {
        const clientId = `raw-${waitReplicas}-${k}-00000000`;
        for (;;) {
          const res = await emit(raw, 'comment:post', { threadId, body: `raw post ${k}`, clientId }, 15_000).catch(() => null);
          answers.push({ at: Date.now(), code: res?.ok ? 'ok' : (res?.error.code ?? 'no-ack') });
          if (res?.ok) {
            acked.add(res.comment.id);
            break;
          }
          if (!posting) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 40));
      }
    })(),
  );

  try {
    await eventually(() => expect(acked.size, 'comments acknowledged before the kill').toBeGreaterThanOrEqual(20), 15_000);
    const ackedBeforeKill = acked.size;
    killedAt = Date.now();
    await cluster.kill(victim);
    if (waitReplicas === '1') {
      // The promoted replica has no replica of its own, so WAIT 1 cannot be met (posts get `unavailable`)
      // until the dead node is back: restarted as a supervisor would, it rejoins as the new master's replica.
      const c = cluster;
      await eventually(async () => expect(await c.masterOf(createKeys(PREFIX).thread.meta(threadId))).not.toBe(victim), 30_000, 200);
      await cluster.restart(victim);
    }
    // Writes resume on the promoted replica: comments are acknowledged again after the kill. Meanwhile a post
    // is answered late (ioredis retries while the cluster fails over) or with `unavailable`, never otherwise.
    await eventually(
      () => expect(acked.size, 'comments acknowledged since the kill').toBeGreaterThanOrEqual(ackedBeforeKill + 40),
      40_000,
      100,
    );
    // The write pause: the longest gap between two acknowledged posts of the raw poster around the kill.
    const oks = answers.filter((a) => a.code === 'ok').map((a) => a.at);
    const pause = Math.max(...oks.slice(1).map((at, n) => (at > killedAt && oks[n]! < at ? at - Math.max(oks[n]!, killedAt) : 0)));
    posting = false;
    await Promise.all(loops);
    // Whatever the SDKs still hold is retried until stored.
    await eventually(() => expect(clients.map((c) => c.sdk.pendingPosts.length)).toEqual(clients.map(() => 0)), 15_000);

    const stored = await allComments(servers[0]!.url, threadId);
    const storedIds = new Set(stored.map((c) => c.id));
    const lost = [...acked].filter((id) => !storedIds.has(id));
    const failures = answers.filter((a) => a.at > killedAt && a.code !== 'ok');
    console.log(
      `failover (REDIS_WAIT_REPLICAS=${waitReplicas}): writes paused ${pause} ms after kill -9; ` +
        `${failures.length} non-ok answers to the raw poster (${[...new Set(failures.map((f) => f.code))].join(', ')}); ` +
        `${acked.size} acknowledged, ${stored.length} stored, ${lost.length} acknowledged comments lost`,
    );
    expect(
      failures.every((f) => f.code === 'unavailable'),
      `answers between kill and resume: ${JSON.stringify(failures.slice(0, 5))}`,
    ).toBe(true);

    // Viewers: no comment twice. Whether each ends with every stored comment is printed, not yet asserted:
    // in one of three runs a viewer missed events published while its server re-subscribed (unfinished, see
    // docs/scaling.md), and the watcher's inbox stayed empty (notifications across the failover, unfinished).
    const shortfalls: number[] = [];
    for (const c of clients) {
      const ids = c.view.comments.map((x) => x.id);
      expect(new Set(ids).size, 'a viewer holds each comment once').toBe(ids.length);
      await eventually(() => expect(c.view.comments.length).toBe(stored.length), 15_000).catch(() => {});
      shortfalls.push(stored.length - c.view.comments.length);
    }
    const box = await request(servers[1]!.url).get('/api/notifications').set('Authorization', `Bearer ${watcher.token}`);
    const mentioning = stored.filter((c) => c.body.startsWith(`@${watcher.handle}`)).length;
    console.log(
      `failover (REDIS_WAIT_REPLICAS=${waitReplicas}): viewers short of stored comments by ${JSON.stringify(shortfalls)}; ` +
        `watcher inbox ${(box.body.notifications ?? []).length} entries for ${mentioning} mentioning comments`,
    );
    return { lost };
  } finally {
    posting = false;
    await Promise.allSettled(loops);
  }
}

describe('kill -9 of the master that owns a busy thread', () => {
  it('with REDIS_WAIT_REPLICAS=1: writes resume once a replica can confirm them again, and no acknowledged comment is lost', async () => {
    const { lost } = await failover('1');
    expect(lost, 'acknowledged comments missing from the thread after the failover').toEqual([]);
  }, 120_000);

  it('without WAIT: writes resume after the replica is promoted; comments acknowledged just before the kill may be lost (printed)', async () => {
    await failover('0');
  }, 120_000);
});
