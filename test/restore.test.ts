import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ThreadlineClient } from '../client/sdk/index.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

/**
 * Redis restored from an older copy while readers are connected: the thread keeps its epoch but
 * its offset goes back. Connected SDK clients must notice (the server's thread:sync after its
 * subscriber reconnects says where the thread is now) and reload, instead of staying on the lost
 * comments and dropping the new ones as repeats of offsets they already hold.
 */
let redis: TestRedis;
let server: TestServer;
let alice: TestUser;
const clients: ThreadlineClient[] = [];

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  alice = await makeUser({ handle: 'restore_alice' });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(() => stopServerAndRedis(server, redis));

const restPost = (threadId: string, body: string) =>
  request(server.url).post(`/api/threads/${threadId}/comments`).set('Authorization', `Bearer ${alice.token}`).send({ body });

describe('data restored from an older copy (same epoch, lower offset)', () => {
  it('connected SDK clients reload to the restored thread and then follow new comments', async () => {
    const threadId = 'restored';
    for (const body of ['kept 1', 'kept 2']) await restPost(threadId, body).expect(201);
    const viewers = await Promise.all(
      [0, 1, 2].map(async () => {
        const c = connect({ url: server.url });
        clients.push(c);
        const resets: string[] = [];
        const view = await c.joinThread(threadId, { onReset: (_comments, why) => resets.push(why) });
        return { view, resets };
      }),
    );
    const epoch = viewers[0]!.view.at.epoch;
    await redis.client.save(); // the older copy: two comments
    for (const body of ['lost 3', 'lost 4']) await restPost(threadId, body).expect(201);
    for (const { view } of viewers)
      await eventually(() => expect(view.at.offset, 'each viewer saw the comments the restore loses').toBe(4));

    await redis.kill();
    await redis.restart(); // loads the older copy
    // The server's connections come back by themselves; posting works again once they have.
    await eventually(async () => expect((await restPost(threadId, 'after the restore')).status).toBe(201), 10_000, 100);

    const stored = (await request(server.url).get(`/api/threads/${threadId}/comments`).expect(200)).body;
    expect({ epoch: stored.epoch, bodies: stored.comments.map((c: { body: string }) => c.body).reverse() }, 'the restored thread').toEqual({
      epoch,
      bodies: ['kept 1', 'kept 2', 'after the restore'],
    });
    for (const [i, { view, resets }] of viewers.entries()) {
      await eventually(
        () =>
          expect(
            { bodies: view.comments.map((c) => c.body), at: view.at, resets },
            `viewer ${i}: the restored thread plus the new comment, after one reload`,
          ).toEqual({ bodies: ['kept 1', 'kept 2', 'after the restore'], at: { offset: 3, epoch }, resets: ['initial', 'history-lost'] }),
        10_000,
      );
    }
  });
});
