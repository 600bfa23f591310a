import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommentPageSchema, CommentSchema } from '../contract/index.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import { keysMatching, type TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let mod: TestUser;
let threadN = 0;
const newThread = () => `article-${++threadN}`;

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

async function post(user: TestUser, threadId: string, body: Record<string, unknown>) {
  return request(server.url).post(`/api/threads/${threadId}/comments`).set(auth(user)).send(body);
}

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  alice = await makeUser({ name: 'Alice Liddell' });
  bob = await makeUser({ name: 'Bob Stone' });
  mod = await makeUser({ role: 'moderator' });
});

afterAll(() => stopServerAndRedis(server, redis));

describe('POST /api/threads/:threadId/comments', () => {
  it('stores a comment and answers 201 with the contract shape', async () => {
    const threadId = newThread();
    const res = await post(alice, threadId, { body: '  First!  ' });
    expect(res.status).toBe(201);
    const comment = CommentSchema.parse(res.body.comment);
    expect(comment).toMatchObject({
      threadId,
      parentId: null,
      author: { id: alice.id, handle: alice.handle, name: 'Alice Liddell' },
      body: 'First!',
      mentions: [],
      status: 'visible',
      editedAt: null,
      offset: 1,
    });
    const thread = await request(server.url).get(`/api/threads/${threadId}`);
    expect(thread.body.thread).toMatchObject({ id: threadId, commentCount: 1, offset: 1, locked: false });
    expect(thread.body.thread.epoch).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses anonymous posts with 401 unauthenticated and writes nothing', async () => {
    const threadId = newThread();
    const res = await request(server.url).post(`/api/threads/${threadId}/comments`).send({ body: 'hi' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(await keysMatching(redis.client, `${server.prefix}{t:${threadId}}*`)).toEqual([]);
  });

  it('returns HTML and script payloads byte-for-byte as plain text', async () => {
    const body = '<script>alert("x")</script> <img src=x onerror=alert(1)> &amp; <b>bold</b>';
    const res = await post(alice, newThread(), { body });
    expect(res.status).toBe(201);
    expect(res.body.comment.body).toBe(body);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('normalises: NFC, CRLF to LF, control characters removed, trimmed', async () => {
    const res = await post(alice, newThread(), { body: '\u0007 Cafe\u0301\r\nline two\u0000\t \n\n\n\nend ' });
    expect(res.status).toBe(201);
    expect(res.body.comment.body).toBe('Caf\u00e9\nline two\n\nend');
  });

  it.each([
    ['an empty body', { body: '   \n\t ' }, 'body'],
    ['a body over 5,000 characters', { body: 'x'.repeat(5_001) }, 'body'],
    ['a missing body', {}, 'body'],
    ['a non-string body', { body: 42 }, 'body'],
    ['an unknown field', { body: 'hi', authorId: 'someone-else' }, '(root)'],
    ['a client-sent mentions list', { body: 'hi', mentions: [{ userId: 'x', handle: 'x' }] }, '(root)'],
    ['a malformed clientId', { body: 'hi', clientId: 'no spaces allowed' }, 'clientId'],
    ['a malformed parentId', { body: 'hi', parentId: 'nope' }, 'parentId'],
  ])('rejects %s with 400 invalid_payload naming the field, writing nothing', async (_label, body, path) => {
    const threadId = newThread();
    const res = await post(alice, threadId, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await keysMatching(redis.client, `${server.prefix}{t:${threadId}}*`)).toEqual([]);
  });

  it('accepts exactly 5,000 characters counted as code points (emoji count once)', async () => {
    const res = await post(alice, newThread(), { body: '😀'.repeat(5_000) });
    expect(res.status).toBe(201);
  });

  it('answers 413 payload_too_large for a body over 64 KB', async () => {
    const res = await post(alice, newThread(), { body: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers 400 for invalid JSON', async () => {
    const res = await request(server.url)
      .post(`/api/threads/${newThread()}/comments`)
      .set(auth(alice))
      .set('Content-Type', 'application/json')
      .send('{"body": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
  });

  it('answers 400 for a thread id outside [A-Za-z0-9_.:-]{1,128}', async () => {
    const res = await post(alice, 'bad id!', { body: 'x' });
    expect(res.status).toBe(400);
    expect((await post(alice, 'x'.repeat(129), { body: 'x' })).status).toBe(400);
  });

  it('links replies to a visible parent of the same thread only', async () => {
    const threadId = newThread();
    const parent = (await post(alice, threadId, { body: 'parent' })).body.comment;
    const reply = await post(bob, threadId, { body: 'reply', parentId: parent.id });
    expect(reply.status).toBe(201);
    expect(reply.body.comment.parentId).toBe(parent.id);

    const elsewhere = (await post(alice, newThread(), { body: 'other thread' })).body.comment;
    const crossThread = await post(bob, threadId, { body: 'reply', parentId: elsewhere.id });
    expect(crossThread.status).toBe(400);
    expect(crossThread.body.error.details.issues[0].path).toBe('parentId');

    const missing = await post(bob, threadId, { body: 'reply', parentId: `${threadId}~AAAAAAAAAAAA` });
    expect(missing.status).toBe(400);

    await request(server.url).delete(`/api/comments/${parent.id}`).set(auth(alice)).expect(200);
    const toDeleted = await post(bob, threadId, { body: 'reply', parentId: parent.id });
    expect(toDeleted.status).toBe(400);
    const thread = await request(server.url).get(`/api/threads/${threadId}`);
    expect(thread.body.thread.offset).toBe(3); // created, reply, delete: the refused replies took no offset
  });
});

describe('idempotent clientId', () => {
  it('returns the original comment with 200 on a repeated clientId', async () => {
    const threadId = newThread();
    const first = await post(alice, threadId, { body: 'once', clientId: 'client-0001' });
    const again = await post(alice, threadId, { body: 'once', clientId: 'client-0001' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.comment).toEqual(first.body.comment);
    const page = await request(server.url).get(`/api/threads/${threadId}/comments`);
    expect(page.body.comments).toHaveLength(1);
  });

  it('stores one comment when the same clientId arrives 20 times at once', async () => {
    const threadId = newThread();
    const results = await Promise.all(Array.from({ length: 20 }, () => post(alice, threadId, { body: 'race', clientId: 'client-race-1' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.comment.id)).size).toBe(1);
    const thread = await request(server.url).get(`/api/threads/${threadId}`);
    expect(thread.body.thread).toMatchObject({ commentCount: 1, offset: 1 });
  });

  it('scopes clientIds per user: another user with the same clientId posts their own comment', async () => {
    const threadId = newThread();
    const a = await post(alice, threadId, { body: 'mine', clientId: 'shared-client-id' });
    const b = await post(bob, threadId, { body: 'mine too', clientId: 'shared-client-id' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.comment.id).not.toBe(b.body.comment.id);
  });
});

describe('Idempotency-Key header', () => {
  const postWithKey = (user: TestUser, threadId: string, key: string, body: Record<string, unknown>) =>
    request(server.url).post(`/api/threads/${threadId}/comments`).set(auth(user)).set('Idempotency-Key', key).send(body);

  it('means clientId: a repeated key answers 200 with the original comment and stores one', async () => {
    const threadId = newThread();
    const first = await postWithKey(alice, threadId, 'idem-key-0001', { body: 'once' });
    const again = await postWithKey(alice, threadId, 'idem-key-0001', { body: 'once' });
    expect(first.status, 'the first post with the key is stored').toBe(201);
    expect(again.status, 'a repeat of the Idempotency-Key is a replay (200), not a second comment').toBe(200);
    expect(again.body.comment).toEqual(first.body.comment);
    // The header and the body field are one key: a body clientId equal to an earlier header replays too.
    const viaBody = await post(alice, threadId, { body: 'once', clientId: 'idem-key-0001' });
    expect(viaBody.status, 'clientId in the body names the same key as the header').toBe(200);
    const page = await request(server.url).get(`/api/threads/${threadId}/comments`);
    expect(page.body.comments, 'one comment stored for three requests with one key').toHaveLength(1);
  });

  it('accepts the header and the body clientId together when they agree', async () => {
    const res = await postWithKey(alice, newThread(), 'idem-key-0002', { body: 'both', clientId: 'idem-key-0002' });
    expect(res.status).toBe(201);
  });

  it.each([
    ['disagrees with the body clientId', 'idem-key-0003', { body: 'hi', clientId: 'another-key-0003' }],
    ['is malformed like a bad clientId', 'no spaces allowed', { body: 'hi' }],
    ['is too short', 'short', { body: 'hi' }],
  ])('refuses a header that %s with 400 invalid_payload naming Idempotency-Key, writing nothing', async (_label, key, body) => {
    const threadId = newThread();
    const res = await postWithKey(alice, threadId, key, body);
    expect(res.status, `Idempotency-Key ${JSON.stringify(key)} with ${JSON.stringify(body)} must be refused`).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('Idempotency-Key');
    expect(await keysMatching(redis.client, `${server.prefix}{t:${threadId}}*`)).toEqual([]);
  });
});

describe('GET /api/threads/:threadId/comments', () => {
  it('reads a thread nobody has commented on as empty at offset 0', async () => {
    const res = await request(server.url).get(`/api/threads/${newThread()}/comments`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ comments: [], nextCursor: null, offset: 0, epoch: '' });
  });

  it('pages newest first by default and oldest first on request, with stable cursors across inserts', async () => {
    const threadId = newThread();
    for (let i = 1; i <= 7; i++) await post(alice, threadId, { body: `c${i}` });

    const p1 = CommentPageSchema.parse((await request(server.url).get(`/api/threads/${threadId}/comments?limit=3`)).body);
    expect(p1.comments.map((c) => c.body)).toEqual(['c7', 'c6', 'c5']);
    expect(p1.offset).toBe(7);

    // New comments arriving between pages must not shift or repeat what follows.
    await post(bob, threadId, { body: 'c8' });
    await post(bob, threadId, { body: 'c9' });
    const p2 = CommentPageSchema.parse(
      (await request(server.url).get(`/api/threads/${threadId}/comments?limit=3&cursor=${p1.nextCursor}`)).body,
    );
    expect(p2.comments.map((c) => c.body)).toEqual(['c4', 'c3', 'c2']);
    const p3 = CommentPageSchema.parse(
      (await request(server.url).get(`/api/threads/${threadId}/comments?limit=3&cursor=${p2.nextCursor}`)).body,
    );
    expect(p3.comments.map((c) => c.body)).toEqual(['c1']);
    expect(p3.nextCursor).toBeNull();

    const oldest = CommentPageSchema.parse((await request(server.url).get(`/api/threads/${threadId}/comments?order=oldest&limit=4`)).body);
    expect(oldest.comments.map((c) => c.body)).toEqual(['c1', 'c2', 'c3', 'c4']);
    const oldest2 = CommentPageSchema.parse(
      (await request(server.url).get(`/api/threads/${threadId}/comments?order=oldest&limit=10&cursor=${oldest.nextCursor}`)).body,
    );
    expect(oldest2.comments.map((c) => c.body)).toEqual(['c5', 'c6', 'c7', 'c8', 'c9']);
    expect(oldest2.nextCursor).toBeNull();
  });

  it('defaults to 50 per page and leaves out deleted comments', async () => {
    const threadId = newThread();
    const ids: string[] = [];
    for (let i = 0; i < 52; i++) ids.push((await post(alice, threadId, { body: `n${i}` })).body.comment.id);
    await request(server.url).delete(`/api/comments/${ids[51]}`).set(auth(alice)).expect(200);
    const page = await request(server.url).get(`/api/threads/${threadId}/comments`);
    expect(page.body.comments).toHaveLength(50);
    expect(page.body.comments[0].body).toBe('n50');
    expect(page.body.nextCursor).not.toBeNull();
  });

  it.each([['limit=0'], ['limit=101'], ['limit=abc'], ['order=sideways'], ['cursor=-1'], ['cursor=abc'], ['unknown=1']])(
    'rejects ?%s with 400 invalid_payload',
    async (qs) => {
      const res = await request(server.url).get(`/api/threads/${newThread()}/comments?${qs}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_payload');
    },
  );
});

describe('PATCH /api/comments/:commentId', () => {
  it('lets the author edit, recomputing mentions and recording editedAt', async () => {
    const threadId = newThread();
    const c = (await post(alice, threadId, { body: 'first draft' })).body.comment;
    const res = await request(server.url)
      .patch(`/api/comments/${c.id}`)
      .set(auth(alice))
      .send({ body: `second draft for @${bob.handle}` });
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: c.id, body: `second draft for @${bob.handle}`, offset: 2 });
    expect(res.body.comment.mentions).toEqual([{ userId: bob.id, handle: bob.handle }]);
    expect(res.body.comment.editedAt).not.toBeNull();
  });

  it('refuses other users (403), anonymous (401), unknown comments (404) and bad bodies (400)', async () => {
    const c = (await post(alice, newThread(), { body: 'mine' })).body.comment;
    const other = await request(server.url).patch(`/api/comments/${c.id}`).set(auth(bob)).send({ body: 'hijack' });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    const modEdit = await request(server.url).patch(`/api/comments/${c.id}`).set(auth(mod)).send({ body: 'mod rewrite' });
    expect(modEdit.status).toBe(403);
    expect((await request(server.url).patch(`/api/comments/${c.id}`).send({ body: 'x' })).status).toBe(401);
    const missing = await request(server.url).patch(`/api/comments/${c.threadId}~AAAAAAAAAAAA`).set(auth(alice)).send({ body: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const empty = await request(server.url).patch(`/api/comments/${c.id}`).set(auth(alice)).send({ body: '' });
    expect(empty.status).toBe(400);
    const extra = await request(server.url).patch(`/api/comments/${c.id}`).set(auth(alice)).send({ body: 'x', status: 'visible' });
    expect(extra.status).toBe(400);
  });

  it('refuses edits after the edit window', async () => {
    const c = (await post(alice, newThread(), { body: 'old news' })).body.comment;
    const realNow = server.app.deps.now;
    server.app.deps.now = () => new Date(Date.now() + 901_000);
    try {
      const res = await request(server.url).patch(`/api/comments/${c.id}`).set(auth(alice)).send({ body: 'too late' });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/15 minutes/);
    } finally {
      server.app.deps.now = realNow;
    }
  });

  it('refuses editing a deleted comment with 409 conflict', async () => {
    const c = (await post(alice, newThread(), { body: 'gone soon' })).body.comment;
    await request(server.url).delete(`/api/comments/${c.id}`).set(auth(alice)).expect(200);
    const res = await request(server.url).patch(`/api/comments/${c.id}`).set(auth(alice)).send({ body: 'back' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('caps edits at 10 per comment', async () => {
    const c = (await post(alice, newThread(), { body: 'v0' })).body.comment;
    for (let i = 1; i <= 10; i++) {
      await request(server.url)
        .patch(`/api/comments/${c.id}`)
        .set(auth(alice))
        .send({ body: `v${i}` })
        .expect(200);
    }
    const res = await request(server.url).patch(`/api/comments/${c.id}`).set(auth(alice)).send({ body: 'v11' });
    expect(res.status).toBe(403);
  });
});

describe('DELETE /api/comments/:commentId', () => {
  it('marks the author’s own comment deleted, clearing body and mentions, idempotently', async () => {
    const threadId = newThread();
    const c = (await post(alice, threadId, { body: `bye @${bob.handle}` })).body.comment;
    const res = await request(server.url).delete(`/api/comments/${c.id}`).set(auth(alice));
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: c.id, status: 'deleted', body: '', mentions: [], offset: 2 });
    const again = await request(server.url).delete(`/api/comments/${c.id}`).set(auth(alice));
    expect(again.status).toBe(200);
    expect(again.body.comment.offset).toBe(2);
    const thread = await request(server.url).get(`/api/threads/${threadId}`);
    expect(thread.body.thread).toMatchObject({ commentCount: 0, offset: 2 });
  });

  it('lets moderators remove anyone’s comment (status removed) and refuses other commenters', async () => {
    const c = (await post(alice, newThread(), { body: 'rude' })).body.comment;
    const denied = await request(server.url).delete(`/api/comments/${c.id}`).set(auth(bob));
    expect(denied.status).toBe(403);
    const removed = await request(server.url).delete(`/api/comments/${c.id}`).set(auth(mod));
    expect(removed.status).toBe(200);
    expect(removed.body.comment.status).toBe('removed');
  });
});
