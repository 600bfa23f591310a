import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  ThreadlineError,
  ThreadView,
  type ServerEventData,
  type ThreadlineClient,
  type ThreadTransport,
} from '../client/sdk/index.ts';
import type { ThreadEvent } from '../contract/index.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { makeUser, record, waitPastExpiry, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

let redis: TestRedis;
let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const clients: ThreadlineClient[] = [];
let n = 0;
const newThread = () => `sdk-${++n}`;

function client(user?: TestUser, extra: Partial<Parameters<typeof connect>[0]> = {}): ThreadlineClient {
  const c = connect({ url: server.url, token: user?.token, ...extra });
  clients.push(c);
  return c;
}

const restPost = (user: TestUser, threadId: string, body: string) =>
  request(server.url).post(`/api/threads/${threadId}/comments`).set('Authorization', `Bearer ${user.token}`).send({ body }).expect(201);

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  alice = await makeUser({ name: 'Alice' });
  bob = await makeUser({ name: 'Bob' });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(() => stopServerAndRedis(server, redis));

describe('joinThread', () => {
  it('loads the newest page, then applies live events once, in order', async () => {
    const threadId = newThread();
    for (let i = 0; i < 3; i++) await restPost(alice, threadId, `old ${i}`);
    const events: ThreadEvent[] = [];
    const resets: string[] = [];
    const view = await client().joinThread(threadId, { onEvent: (e) => events.push(e), onReset: (_c, why) => resets.push(why) });
    expect(resets).toEqual(['initial']);
    expect(view.comments.map((c) => c.body)).toEqual(['old 0', 'old 1', 'old 2']);
    expect(view.at.offset).toBe(3);

    const writer = client(bob);
    const posted = await writer.post({ threadId, body: 'live one' });
    await writer.edit(posted.id, 'live one, edited');
    await eventually(() =>
      expect(events.map((e) => [e.type, e.offset])).toEqual([
        ['comment.created', 4],
        ['comment.updated', 5],
      ]),
    );
    expect(view.comments.map((c) => c.body)).toEqual(['old 0', 'old 1', 'old 2', 'live one, edited']);
    expect(view.commentCount, 'the thread’s count after a live comment (an edit does not change it)').toBe(4);
    await writer.remove(posted.id);
    await eventually(() => expect(view.comments).toHaveLength(3));
    expect(view.commentCount, 'and after its removal').toBe(3);
  });

  it('loads older pages with loadMore', async () => {
    const threadId = newThread();
    for (let i = 0; i < 5; i++) await restPost(alice, threadId, `c${i}`);
    const view = await client(undefined, { pageSize: 2 }).joinThread(threadId);
    expect(view.comments.map((c) => c.body)).toEqual(['c3', 'c4']);
    expect(view.commentCount, 'the whole thread, not the page').toBe(5);
    expect(view.hasMore).toBe(true);
    await view.loadMore();
    await view.loadMore();
    expect(view.comments.map((c) => c.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(view.hasMore).toBe(false);
  });

  it('recovers events missed while disconnected, without a reload', async () => {
    const threadId = newThread();
    const events: ThreadEvent[] = [];
    const resets: string[] = [];
    const reader = client();
    const view = await reader.joinThread(threadId, { onEvent: (e) => events.push(e), onReset: (_c, why) => resets.push(why) });
    reader.socket.io.engine.close(); // a network drop: the client reconnects by itself
    for (let i = 0; i < 4; i++) await restPost(alice, threadId, `while away ${i}`);
    await eventually(() => expect(view.comments).toHaveLength(4));
    expect(events.map((e) => e.offset)).toEqual([1, 2, 3, 4]);
    expect(resets).toEqual(['initial']);
  });

  it('reports a first load as initial only, even when the page was outdated before the first join', async () => {
    // The thread's data is lost and rebuilt between the page and the first join, so that join
    // answers recovered: false. The reader saw nothing live yet: nothing of theirs was lost.
    const threadId = newThread();
    await restPost(alice, threadId, 'before the flush');
    const reader = client();
    let pages = 0;
    const transport: ThreadTransport = {
      join: (id, since) => reader.request('thread:join', { threadId: id, since }),
      leave: async (id) => void (await reader.request('thread:leave', { threadId: id })),
      page: async (id, query) => {
        const res = await request(server.url).get(`/api/threads/${id}/comments`).query(query).expect(200);
        if (++pages === 1) {
          await redis.client.flushall();
          await restPost(bob, threadId, 'after the flush');
        }
        return res.body as Awaited<ReturnType<ThreadTransport['page']>>;
      },
    };
    const resets: [string, string[]][] = [];
    const view = new ThreadView(threadId, { onReset: (comments, why) => resets.push([why, comments.map((c) => c.body)]) }, transport, 50);
    await view.start();
    expect(pages, 'the outdated page is loaded again').toBe(2);
    expect(resets, 'one reset, initial, with the page the join confirmed (not history-lost or epoch-changed)').toEqual([
      ['initial', ['after the flush']],
    ]);
    await view.close();
  });

  it('reloads and says why when the thread’s history was lost (new epoch after FLUSHALL)', async () => {
    const threadId = newThread();
    await restPost(alice, threadId, 'before the flush');
    const resets: string[] = [];
    const view = await client().joinThread(threadId, { onReset: (_c, why) => resets.push(why) });
    await redis.client.flushall();
    await restPost(bob, threadId, 'after the flush');
    await eventually(() => expect(resets).toEqual(['initial', 'epoch-changed']));
    expect(view.comments.map((c) => c.body)).toEqual(['after the flush']);
    expect(view.at.offset).toBe(1);
  });

  it('keeps a tombstone in the place of a gone comment while it has a visible reply, live and after a reload', async () => {
    const threadId = newThread();
    const moderator = await makeUser({ role: 'moderator' });
    const parent = (await restPost(alice, threadId, 'parent')).body.comment as { id: string };
    const reply = (
      await request(server.url)
        .post(`/api/threads/${threadId}/comments`)
        .set('Authorization', `Bearer ${bob.token}`)
        .send({ body: 'reply', parentId: parent.id })
        .expect(201)
    ).body.comment as { id: string };
    const lonely = (await restPost(bob, threadId, 'lonely')).body.comment as { id: string };
    const view = await client().joinThread(threadId, {});
    const shape = (v: ThreadView) => v.comments.map((c) => [c.id, c.status, c.author?.name ?? null, c.body]);

    await request(server.url).delete(`/api/comments/${parent.id}`).set('Authorization', `Bearer ${alice.token}`).expect(200);
    await request(server.url).delete(`/api/comments/${lonely.id}`).set('Authorization', `Bearer ${moderator.token}`).expect(200);
    const expected = [
      [parent.id, 'deleted', null, ''],
      [reply.id, 'visible', 'Bob', 'reply'],
    ];
    await eventually(() =>
      expect(shape(view), 'live: the deleted parent as a tombstone, the removed comment without replies gone').toEqual(expected),
    );

    const reloaded = await client().joinThread(threadId, {});
    expect(shape(reloaded), 'after a reload: the same tombstone from the REST page').toEqual(expected);

    await request(server.url).delete(`/api/comments/${reply.id}`).set('Authorization', `Bearer ${bob.token}`).expect(200);
    await eventually(() => expect(shape(view), 'the tombstone goes with its last visible reply').toEqual([]));
  });
});

describe('post', () => {
  it('resolves with the stored comment and rejects typed refusals', async () => {
    const c = client(alice);
    const comment = await c.post({ threadId: newThread(), body: ' hi ' });
    expect(comment.body).toBe('hi');
    const refused = await c.post({ threadId: newThread(), body: '   ' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ThreadlineError);
    expect((refused as ThreadlineError).code).toBe('invalid_payload');
    expect(c.pendingPosts).toHaveLength(0);
  });

  it('keeps posts made while offline and stores each once after reconnecting', async () => {
    const threadId = newThread();
    const c = client(alice, { socket: { reconnectionDelay: 100, reconnectionDelayMax: 200 } });
    await c.joinThread(threadId);
    c.socket.disconnect();
    const pending = [c.post({ threadId, body: 'one' }), c.post({ threadId, body: 'two' })];
    expect(c.pendingPosts).toHaveLength(2);
    c.socket.connect();
    const stored = await Promise.all(pending);
    expect(stored.map((s) => s.body)).toEqual(['one', 'two']);
    const page = await request(server.url).get(`/api/threads/${threadId}/comments`);
    expect(page.body.comments).toHaveLength(2);
  });

  it('rejects posts from an anonymous reader with unauthenticated', async () => {
    const err = await client()
      .post({ threadId: newThread(), body: 'hi' })
      .catch((e: unknown) => e);
    expect((err as ThreadlineError).code).toBe('unauthenticated');
  });
});

describe('token refresh', () => {
  it('asks the app for a new token before expiry and stays connected', async () => {
    const short = await makeUser({ handle: 'shortlived', id: 'sub-short', ttlSeconds: 2 });
    let refreshes = 0;
    const c = client(short, {
      refreshToken: async () => {
        refreshes++;
        return (await makeUser({ handle: 'shortlived', id: 'sub-short', ttlSeconds: 3600 })).token;
      },
    });
    let disconnects = 0;
    c.socket.on('disconnect', () => disconnects++);
    const expired = record(c.socket, 'auth:expired');
    await eventually(() => expect(refreshes, 'the SDK asked the app for a new token').toBe(1));
    await waitPastExpiry(server.url, short.token);
    expect(expired.seen, 'no auth:expired for the SDK at the first token’s expiry').toEqual([]);
    expect(disconnects, 'the SDK was not disconnected at the first token’s expiry').toBe(0);
    expect(c.connected, 'the SDK is still connected after the first token’s expiry').toBe(true);
    expect(refreshes, 'one refresh, no reconnect with a fresh token').toBe(1);
  });
});

describe('notifications', () => {
  let workers: RunningWorkers;
  beforeAll(async () => {
    workers = await startWorkers(server.app.deps);
  });
  afterAll(() => workers?.close());

  it('delivers mentions live with the unread count, lists the inbox, and marks read on every tab', async () => {
    const reader = await makeUser({ name: 'Reader' });
    const seen: ServerEventData<'notification'>[] = [];
    const counts: number[] = [];
    const tab = client(reader, { onNotification: (n) => seen.push(n), onUnread: (u) => counts.push(u) });
    const otherCounts: number[] = [];
    const otherTab = client(reader, { onUnread: (u) => otherCounts.push(u) });
    await eventually(() => expect([tab.unread, otherTab.unread], 'the unread count sent on connect').toEqual([0, 0]));

    const threadId = newThread();
    const comment = (await restPost(bob, threadId, `@${reader.handle} have a look`)).body.comment;
    await eventually(() => expect(seen.map((n) => [n.kind, n.comment.id, n.unread])).toEqual([['mention', comment.id, 1]]));
    expect(tab.unread).toBe(1);
    await eventually(() => expect(otherTab.unread, 'the other tab’s count').toBe(1));

    const page = await tab.notifications();
    expect(page.notifications.map((n) => [n.kind, n.comment.id, n.read])).toEqual([['mention', comment.id, false]]);
    expect(page.unread).toBe(1);

    expect(await tab.markRead('all')).toBe(0);
    await eventually(() => expect(otherTab.unread, 'marked read on the other tab too').toBe(0));
    expect(counts).toEqual([0, 1, 0]);
    expect(otherCounts).toEqual([0, 1, 0]);
    expect((await tab.notifications()).notifications[0]!.read).toBe(true);
  });

  it('refuses the inbox to an anonymous reader with unauthenticated', async () => {
    const anon = client();
    await expect(anon.notifications()).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});

describe('the documented example', () => {
  it('follows a thread and posts, as docs/sdk.md shows', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const threadId = newThread();
    await restPost(alice, threadId, 'already here');
    const { stdout: out } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'client/sdk/example.ts',
        server.url,
        threadId,
        '--token',
        bob.token,
        '--post',
        'hello from the example',
        '--seconds',
        '1.5',
      ],
      { timeout: 20_000 },
    );
    expect(out).toContain('signed in as @');
    expect(out).toContain('1 comments (initial)');
    expect(out).toMatch(/\[2\] comment\.created .*hello from the example/);
    expect(out).toMatch(/posted sdk-\d+~\w{12}/);
  });
});
