import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../contract/index.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { sweepOutbox } from '../workers/outbox/sweep.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';
import { SlowLink } from './support/slow-link.ts';
import { signIn } from './support/users.ts';
import { eventually } from './support/wait.ts';

/**
 * The server's queue producers reach Redis through a link this test can cut,
 * while its other connections (and the workers') go direct: a post can be
 * stored while adding its jobs fails.
 */
const PREFIX = 'eo:';
let redis: TestRedis;
let link: SlowLink;
let server: TestServer;
let workers: RunningWorkers;

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

async function signedIn(handle: string): Promise<TestUser> {
  const u = await makeUser({ handle });
  await signIn(server, u);
  return u;
}

const inbox = (u: TestUser): Promise<Notification[]> =>
  request(server.url)
    .get('/api/notifications')
    .set(auth(u))
    .expect(200)
    .then((r) => r.body.notifications);

beforeAll(async () => {
  redis = await startRedis();
  link = new SlowLink(redis.port, 0);
  await link.start();
  server = await startServer(
    redis.url,
    { REDIS_PREFIX: PREFIX, OUTBOX_SWEEP_SECONDS: '1', OUTBOX_GRACE_SECONDS: '1' },
    { queueUrl: link.url },
  );
  workers = await startWorkers(server.app.deps);
});

afterAll(async () => {
  await workers?.close();
  await server?.close();
  await link?.stop();
  await redis?.stop();
});

describe('enqueueing fails after the write', () => {
  it('a post and an edit made while the queue link is cut are acknowledged, then screened and notified once it heals', async () => {
    const threadId = 'outage';
    const newbie = await makeUser({ handle: 'outage_newbie' });
    const bob = await signedIn('outage_bob');
    const carol = await signedIn('outage_carol');

    link.cut();
    // Four links from a brand-new account: screening holds it, once it runs.
    const spamRes = await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set(auth(newbie))
      .send({ body: 'Deals: https://a.example https://b.example https://c.example https://d.example' });
    expect(spamRes.status, 'the post is stored and acknowledged although its jobs could not be added').toBe(201);
    const spam = spamRes.body.comment;
    const mentionRes = await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set(auth(newbie))
      .send({ body: 'What do you think, @outage_bob?' });
    expect(mentionRes.status).toBe(201);
    const editRes = await request(server.url)
      .patch(`/api/comments/${mentionRes.body.comment.id}`)
      .set(auth(newbie))
      .send({ body: 'What do you think, @outage_bob and @outage_carol?' });
    expect(editRes.status, 'the edit is stored and acknowledged although its jobs could not be added').toBe(200);
    const toScreen = await redis.client.xrange(server.app.deps.store.keys.screening.stream, '-', '+');
    expect(
      toScreen.map(([, fields]) => fields[fields.indexOf('commentId') + 1]),
      'the cut link kept the comment out of the screening stream',
    ).not.toContain(spam.id);

    link.heal();
    await eventually(
      async () => {
        const status = await redis.client.hget(server.app.deps.store.keys.thread.comment(threadId, spam.id), 'status');
        expect(status, 'the spam comment, posted during the outage, was screened and held after the link healed').toBe('pending');
      },
      15_000,
      100,
    );
    await eventually(
      async () => {
        expect(
          (await inbox(bob)).map((n) => n.kind),
          'bob, mentioned in a post made during the outage, was notified',
        ).toEqual(['mention']);
        expect(
          (await inbox(carol)).map((n) => n.kind),
          'carol, mentioned by an edit made during the outage, was notified',
        ).toEqual(['mention']);
      },
      15_000,
      100,
    );
    const outbox = server.app.deps.store.keys.thread.outbox(threadId);
    await eventually(async () =>
      expect(await redis.client.zrange(outbox, 0, -1), 'every outbox entry was acknowledged once its jobs were added').toEqual([]),
    );
  }, 40_000);

  it("an approval made while the queue link is cut notifies the held comment's mention once it heals", async () => {
    const threadId = 'outage-premod';
    const mod = await makeUser({ handle: 'outage_mod', role: 'moderator' });
    const author = await makeUser({ handle: 'outage_author' });
    const dave = await signedIn('outage_dave');
    await request(server.url).patch(`/api/moderation/threads/${threadId}`).set(auth(mod)).send({ premod: true }).expect(200);
    const held = (
      await request(server.url)
        .post(`/api/threads/${threadId}/comments`)
        .set(auth(author))
        .send({ body: 'Over to you, @outage_dave' })
        .expect(201)
    ).body.comment;
    expect(held.status, 'pre-moderation holds the comment').toBe('pending');

    link.cut();
    const approved = await request(server.url)
      .post(`/api/moderation/comments/${encodeURIComponent(held.id)}/approve`)
      .set(auth(mod))
      .send({});
    expect(approved.status, 'the approval is stored and acknowledged although its jobs could not be added').toBe(200);
    expect(await inbox(dave), 'nothing reached dave while the link was cut').toEqual([]);

    link.heal();
    await eventually(
      async () => {
        expect(
          (await inbox(dave)).map((n) => n.kind),
          'dave, mentioned in a comment approved during the outage, was notified',
        ).toEqual(['mention']);
      },
      15_000,
      100,
    );
  }, 40_000);

  it('with a working queue a write clears its own outbox entry; the sweep takes threads with nothing left off its list', async () => {
    const threadId = 'no-outage';
    const alice = await signedIn('steady_alice');
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set(auth(alice))
      .send({ body: 'All fine, @steady_alice' })
      .expect(201);
    const { keys } = server.app.deps.store;
    // The author is answered before the jobs are added; well within OUTBOX_GRACE_SECONDS (1 s here), so not the sweep's doing.
    await eventually(
      async () => expect(await redis.client.zcard(keys.thread.outbox(threadId)), 'the post added its jobs and removed its entry').toBe(0),
      500,
      10,
    );
    expect(await redis.client.zscore(keys.outboxThreads, threadId), 'the post listed its thread for the sweep').not.toBeNull();
    // A sweep well after the last write finds nothing to do there and drops the thread from its list.
    await sweepOutbox(server.app.deps, Date.now() + 10 * 60_000);
    expect(await redis.client.zscore(keys.outboxThreads, threadId), 'a thread with an empty outbox leaves the sweep list').toBeNull();
  });
});
