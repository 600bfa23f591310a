import { SignJWT } from 'jose';
import request from 'supertest';
import { type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Comment, type UserExport } from '../contract/index.ts';
import { connectSocket, makeUser, moderationSocket, ok, type ClientSocket, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServers, stopServersAndRedis, TEST_SECRET, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

/**
 * An erasure stays done: the user's tokens issued before it record nobody,
 * and their live sockets on every instance (both namespaces) are closed, so
 * the account cannot come back under the same id, handle and name.
 */
const PREFIX = 'et:';
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let admin: TestUser;
const cleanup: (() => void)[] = [];

const auth = (u: { token: string }) => ({ Authorization: `Bearer ${u.token}` });
const erase = (userId: string, server = a) =>
  request(server.url)
    .delete(`/api/admin/users/${encodeURIComponent(userId)}`)
    .set(auth(admin));

async function modSocket(user: TestUser, server: TestServer): Promise<Socket> {
  const s = await moderationSocket(server.url, user.token);
  cleanup.push(() => s.disconnect());
  return s;
}

/** What a socket was told before the server closed it. */
function closing(client: ClientSocket | Socket): Promise<{ told: unknown; reason: string }> {
  const socket = client as Socket;
  return new Promise((resolve, reject) => {
    let told: unknown = null;
    const timer = setTimeout(() => reject(new Error('the erased user’s socket was not closed within 3 s')), 3_000);
    socket.on('connection:closing', (p: unknown) => (told = p));
    socket.once('disconnect', (reason: string) => {
      clearTimeout(timer);
      resolve({ told, reason });
    });
  });
}

beforeAll(async () => {
  ({
    redis,
    servers: [a, b],
  } = await startRedisAndServers(2, { REDIS_PREFIX: PREFIX }));
  admin = await makeUser({ handle: 'et_admin', role: 'admin' });
});

afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

afterAll(() => stopServersAndRedis([a, b], redis));

describe('an erased user’s tokens and sockets', () => {
  it('a token issued before the erasure is refused (unauthenticated) on every instance and records nobody; open sockets on both namespaces are told and closed', async () => {
    const g = await makeUser({ handle: 'et_gone', name: 'Gone Person', role: 'moderator', email: 'gone@example.com' });
    // Signed in on both instances: each has G's identity in its cache.
    await request(a.url).get('/api/notifications').set(auth(g)).expect(200);
    await request(b.url).post('/api/threads/et-thread/comments').set(auth(g)).send({ body: 'before the erasure' }).expect(201);
    const reader = await connectSocket(b.url, g.token);
    cleanup.push(() => reader.disconnect());
    const mod = await modSocket(g, b);
    const readerClosed = closing(reader);
    const modClosed = closing(mod);

    const res = await erase(g.id, a);
    expect([res.status, res.body], 'the erasure').toEqual([200, { userId: g.id, erasedComments: 1 }]);

    for (const [what, closed] of [
      ['reader socket on B', readerClosed],
      ['/moderation socket on B', modClosed],
    ] as const) {
      const { told, reason } = await closed;
      expect(told, `${what}: connection:closing`).toEqual({ code: 'unauthenticated', reason: 'This account was erased; sign in again' });
      expect(reason, `${what}: closed by the server`).toBe('io server disconnect');
    }

    // The same token, on both instances (B had it cached): refused, and nothing is recorded again.
    for (const server of [a, b]) {
      const again = await request(server.url).get('/api/notifications').set(auth(g));
      expect([again.status, again.body.error?.code, again.body.error?.message], 'the old token after the erasure').toEqual([
        401,
        'unauthenticated',
        'This account was erased; sign in again',
      ]);
    }
    const refused = await connectSocket(a.url, g.token).then(
      (s) => (s.disconnect(), null),
      (err: Error & { data?: { code: string } }) => err.data?.code,
    );
    expect(refused, 'a new handshake with the old token').toBe('unauthenticated');
    expect(await redis.client.exists(a.app.deps.store.keys.user.record(g.id)), 'the user record after the old token came back').toBe(0);
    expect(await redis.client.hget(a.app.deps.store.keys.user.handles, 'et_gone'), 'the handle index').toBeNull();
    expect(
      (
        await request(a.url)
          .get(`/api/admin/users/${encodeURIComponent(g.id)}/export`)
          .set(auth(admin))
      ).status,
      'admin export of the erased user',
    ).toBe(404);
    const page = await request(a.url).get('/api/threads/et-thread/comments').expect(200);
    expect(
      (page.body.comments as Comment[]).filter((c) => c.status !== 'deleted'),
      'the thread’s comments that are not tombstones',
    ).toEqual([]);

    // The marker holds the erasure time and expires when every older token has.
    const marker = a.app.deps.store.keys.user.erased(g.id);
    const ttl = await redis.client.ttl(marker);
    expect(ttl, 'the erasure marker’s expiry (AUTH_MAX_TOKEN_TTL_SECONDS + tolerance)').toBeGreaterThan(604_000);
    expect(ttl).toBeLessThanOrEqual(604_800 + 5);
  });

  it('a token issued after the erasure makes a new, empty account', async () => {
    const g = await makeUser({ handle: 'et_back', name: 'Back Again' });
    await request(a.url).post('/api/threads/et-back/comments').set(auth(g)).send({ body: 'old words' }).expect(201);
    expect((await erase(g.id)).status).toBe(200);
    const erasedAt = Number(await redis.client.get(a.app.deps.store.keys.user.erased(g.id)));
    expect(erasedAt, 'the erasure marker').toBeGreaterThan(0);

    const mint = (iat: number) =>
      new SignJWT({ handle: 'et_back', name: 'Back Again', role: 'commenter' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(g.id)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 3600)
        .sign(new TextEncoder().encode(TEST_SECRET));
    // Issued in the second of the erasure: still "at or before" it.
    expect(
      (
        await request(b.url)
          .get('/api/notifications')
          .set(auth({ token: await mint(erasedAt) }))
      ).status,
      'a token with iat = the erasure',
    ).toBe(401);

    const fresh = { token: await mint(erasedAt + 1) };
    await request(b.url).get('/api/notifications').set(auth(fresh)).expect(200);
    const s = await connectSocket(a.url, fresh.token);
    cleanup.push(() => s.disconnect());
    await ok(s, 'comment:post', { threadId: 'et-back', body: 'a new start', clientId: 'et-back-1' });
    const data = (await request(a.url).get('/api/me/export').set(auth(fresh)).expect(200)).body as UserExport;
    expect(data.profile, 'the new account').toMatchObject({ id: g.id, handle: 'et_back' });
    expect(
      data.comments.map((c) => c.body),
      'the new account holds only what it wrote since',
    ).toEqual(['a new start']);
  });
});

describe('DELETE /api/admin/users/:userId', () => {
  it('answers 404 for a user Threadline does not know, and 200 with nothing erased for a repeat of a finished erasure', async () => {
    const unknown = await erase('nobody_x');
    expect([unknown.status, unknown.body.error?.code], 'erasing an unknown user id').toEqual([404, 'not_found']);
    expect(await redis.client.exists(a.app.deps.store.keys.user.erased('nobody_x')), 'no marker for an unknown user').toBe(0);

    const g = await makeUser({ handle: 'et_twice' });
    await request(a.url).post('/api/threads/et-twice/comments').set(auth(g)).send({ body: 'once' }).expect(201);
    expect((await erase(g.id)).body).toEqual({ userId: g.id, erasedComments: 1 });
    const repeat = await erase(g.id, b);
    expect([repeat.status, repeat.body], 'a repeat of the finished erasure').toEqual([200, { userId: g.id, erasedComments: 0 }]);
    await eventually(async () => expect(await redis.client.exists(a.app.deps.store.keys.user.record(g.id))).toBe(0));
  });
});
