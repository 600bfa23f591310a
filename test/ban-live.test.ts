import { decodeJwt, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectSocket,
  makeUser,
  moderationAttempt,
  record,
  request as emit,
  sessionOf,
  type ClientSocket,
  type TestUser,
} from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServers, stopServersAndRedis, TEST_SECRET, type TestServer } from './support/server.ts';
import { signIn } from './support/users.ts';

/** Bans and unbans reach live connections on every instance, and follow the roles' ranks. */
const PREFIX = 'bl:';
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let mod: TestUser;
let admin: TestUser;
const cleanup: (() => void)[] = [];

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });
const ban = (by: TestUser, userId: string, server = a) =>
  request(server.url)
    .post(`/api/moderation/users/${encodeURIComponent(userId)}/ban`)
    .set(auth(by))
    .send({ reason: 'test' });
const unban = (by: TestUser, userId: string, server = a) =>
  request(server.url)
    .delete(`/api/moderation/users/${encodeURIComponent(userId)}/ban`)
    .set(auth(by));

/** Opens a /moderation socket: the socket, or the handshake's refusal. */
async function modSocket(user: TestUser, server: TestServer): ReturnType<typeof moderationAttempt> {
  const attempt = await moderationAttempt(server.url, user.token);
  const { socket } = attempt;
  if (socket) cleanup.push(() => socket.disconnect());
  return attempt;
}

async function reader(user: TestUser, server: TestServer): Promise<ClientSocket> {
  const s = await connectSocket(server.url, user.token);
  cleanup.push(() => s.disconnect());
  return s;
}

/** Resolves with the ms from `since` to the event, or rejects naming the event after `timeoutMs`. */
function within<T>(what: string, fire: (done: (value: T) => void) => void, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs);
    fire((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

beforeAll(async () => {
  ({
    redis,
    servers: [a, b],
  } = await startRedisAndServers(2, { REDIS_PREFIX: PREFIX }));
  mod = await makeUser({ handle: 'bl_mod', role: 'moderator' });
  admin = await makeUser({ handle: 'bl_admin', role: 'admin' });
});

afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

afterAll(() => stopServersAndRedis([a, b], redis));

describe('a ban reaches live connections on every instance', () => {
  it('disconnects a moderator banned on instance A from /moderation on instance B within a second, and refuses their next handshake (forbidden)', async () => {
    const victim = await makeUser({ handle: 'bl_banned_mod', role: 'moderator' });
    await signIn(a, victim);
    const { socket } = await modSocket(victim, b);
    expect(socket, 'the moderator connects to /moderation on B before the ban').toBeDefined();
    const told: unknown[] = [];
    socket!.on('account:banned', (p: unknown) => told.push(p));
    const disconnected = within<{ reason: string; at: number }>(
      'disconnect of the banned moderator',
      (done) => socket!.once('disconnect', (reason) => done({ reason, at: Date.now() })),
      3_000,
    );

    const sentAt = Date.now();
    const res = await ban(admin, victim.id, a);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { reason, at } = await disconnected;
    expect(reason, 'the server closed the socket').toBe('io server disconnect');
    expect(at - sentAt, 'ms from sending the ban to the disconnect').toBeLessThan(1_000);
    expect(told, 'the socket was told why before it was closed').toEqual([{ until: null, reason: 'test' }]);

    for (const server of [a, b]) {
      const again = await modSocket(victim, server);
      expect(again.error, `a new /moderation handshake to ${server === a ? 'A' : 'B'}`).toMatchObject({ code: 'forbidden' });
    }
  });

  it('tells a commenter banned on A, on their socket on B, that they may no longer post (session), refuses their posts, and restores posting on unban', async () => {
    const victim = await makeUser({ handle: 'bl_banned_commenter' });
    const s = await reader(victim, b);
    expect(sessionOf(s), 'the greeting before the ban').toMatchObject({ user: { id: victim.id }, banned: null });
    const sessions = record(s, 'session');
    expect((await emit(s, 'comment:post', { threadId: 'bl', body: 'before', clientId: 'bl-before-0001' })).ok).toBe(true);

    const sentAt = Date.now();
    const res = await ban(mod, victim.id, a);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await sessions.waitFor(2, 1_000);
    expect(Date.now() - sentAt, 'ms from sending the ban until the socket on B heard of it').toBeLessThan(1_000);
    expect(sessions.seen[1], 'the session after the ban').toMatchObject({
      user: { id: victim.id },
      banned: { until: null, reason: 'test' },
    });
    expect(s.connected, 'readers stay connected: a ban takes posting, not reading').toBe(true);
    expect(await emit(s, 'comment:post', { threadId: 'bl', body: 'during', clientId: 'bl-during-0001' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    // A socket opened while banned is told at once.
    const late = await reader(victim, a);
    expect(sessionOf(late), 'the greeting of a socket opened during the ban').toMatchObject({ banned: { until: null, reason: 'test' } });

    expect((await unban(mod, victim.id, a)).status).toBe(200);
    await sessions.waitFor(3, 1_000);
    expect(sessions.seen[2], 'the session after the unban').toMatchObject({ user: { id: victim.id }, banned: null });
    expect(
      (await emit(s, 'comment:post', { threadId: 'bl', body: 'after', clientId: 'bl-after-00001' })).ok,
      'posting is back after the unban',
    ).toBe(true);
  });
});

describe('ranks', () => {
  it('a moderator cannot lift a ban an admin made, nor ban or unban a moderator or an admin; an admin can', async () => {
    const commenter = await makeUser({ handle: 'bl_rank_commenter' });
    const otherMod = await makeUser({ handle: 'bl_rank_mod', role: 'moderator' });
    const otherAdmin = await makeUser({ handle: 'bl_rank_admin', role: 'admin' });
    for (const u of [commenter, otherMod, otherAdmin]) await signIn(a, u);

    expect((await ban(admin, commenter.id)).status).toBe(200);
    const lift = await unban(mod, commenter.id);
    expect({ status: lift.status, code: lift.body.error?.code }, 'a moderator lifting an admin’s ban').toEqual({
      status: 403,
      code: 'forbidden',
    });
    const s = await reader(commenter, b);
    expect(
      await emit(s, 'comment:post', { threadId: 'bl', body: 'still banned', clientId: 'bl-rank-00001' }),
      'the admin’s ban still holds',
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    for (const target of [otherMod, otherAdmin]) {
      const made = await ban(mod, target.id);
      expect({ status: made.status, code: made.body.error?.code }, `a moderator banning a ${target.role}`).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect((await ban(admin, target.id)).status, `an admin banning a ${target.role}`).toBe(200);
      const lifted = await unban(mod, target.id);
      expect({ status: lifted.status, code: lifted.body.error?.code }, `a moderator lifting a ${target.role}’s ban`).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect((await unban(admin, target.id)).status, `an admin lifting a ${target.role}’s ban`).toBe(200);
    }
    expect((await unban(admin, commenter.id)).status).toBe(200);
  });

  it('lifting is a compare-and-delete: a moderator’s unban read before an admin re-banned lifts nothing', async () => {
    const target = await makeUser({ handle: 'bl_rebanned' });
    await signIn(a, target);
    expect((await ban(mod, target.id)).status).toBe(200);
    const { moderation } = a.app.deps.store;
    const seenByTheModerator = (await moderation.activeBan(target.id))!;
    expect((await ban(admin, target.id)).status).toBe(200);
    expect(await moderation.unban(seenByTheModerator), 'lifting the moderator’s ban, which the admin’s has replaced').toBe(false);
    expect(await moderation.activeBan(target.id), 'the admin’s ban stands').toMatchObject({ by: { id: admin.id }, byRole: 'admin' });
    expect((await unban(admin, target.id)).status).toBe(200);
  });

  it('a ban a moderator made on an admin Threadline had not seen yet never locks that admin out', async () => {
    const unseen = await makeUser({ handle: 'bl_unseen_admin', role: 'admin' });
    // The moderator may ban an unknown account (it may be a commenter's)...
    expect((await ban(mod, unseen.id)).status).toBe(200);
    // ...but the account turns out to be an admin's: it still moderates, over REST and on the socket.
    const queue = await request(b.url).get('/api/moderation/queues/pending').set(auth(unseen));
    expect({ status: queue.status, code: queue.body.error?.code }, 'the admin reads a queue').toEqual({ status: 200, code: undefined });
    const { socket, error } = await modSocket(unseen, b);
    expect(error, 'the admin’s /moderation handshake').toBeUndefined();
    expect(await socket!.timeout(5_000).emitWithAck('mod:subscribe', {})).toEqual({ ok: true });
    const s = await reader(unseen, a);
    expect(sessionOf(s), 'the admin is not told they are banned').toMatchObject({ user: { role: 'admin' }, banned: null });
    expect(
      (await emit(s, 'comment:post', { threadId: 'bl', body: 'an admin posts', clientId: 'bl-unseen-0001' })).ok,
      'the admin posts',
    ).toBe(true);
    expect((await unban(admin, unseen.id)).status).toBe(200);
  });
});

describe('role changes reach live connections', () => {
  /** The same user's token with another role, issued at `iat` (seconds), as the host site would after changing their role. */
  const reissue = async (user: TestUser, role: TestUser['role'], iat: number): Promise<TestUser> => ({
    ...user,
    role,
    token: await new SignJWT({ handle: user.handle, name: user.name, role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(new TextEncoder().encode(TEST_SECRET)),
  });
  const pending = (u: TestUser, server: TestServer) => request(server.url).get('/api/moderation/queues/pending').set(auth(u));

  it('a moderator whose newer token says commenter loses /moderation on every instance, also with the older moderator token; a newer moderator token gives it back', async () => {
    const m = await makeUser({ handle: 'bl_demoted', role: 'moderator' });
    const iat = decodeJwt(m.token).iat!;
    await signIn(b, m);
    const { socket } = await modSocket(m, b);
    expect(socket, 'the moderator connects to /moderation on B').toBeDefined();
    const told: unknown[] = [];
    socket!.on('connection:closing', (p: unknown) => told.push(p));
    const disconnected = within<string>(
      'disconnect of the demoted moderator',
      (done) => socket!.once('disconnect', (reason) => done(reason)),
      3_000,
    );

    // The host site makes them a commenter; they sign in on A with the new token.
    const commenter = await reissue(m, 'commenter', iat + 1);
    await signIn(a, commenter);
    expect(await disconnected, 'the /moderation socket on B is closed by the server').toBe('io server disconnect');
    expect(told, 'what the socket was told first').toEqual([{ code: 'forbidden', reason: 'Your role no longer includes moderation' }]);
    expect(await redis.client.hget(`${PREFIX}{u}:user:${m.id}`, 'role'), 'the stored role').toBe('commenter');

    // The older moderator token, on both instances (B had it cached): no moderation, no feed, and the role stays.
    for (const server of [a, b]) {
      const res = await pending(m, server);
      expect([res.status, res.body.error?.code], 'the moderation queue with the older moderator token').toEqual([403, 'forbidden']);
    }
    const again = await modSocket(m, b);
    expect(again.error?.code, 'a /moderation handshake with the older moderator token').toBe('forbidden');
    expect(await redis.client.hget(`${PREFIX}{u}:user:${m.id}`, 'role'), 'the stored role after the older token was used').toBe(
      'commenter',
    );

    // Made a moderator again, in a newer token: the older moderator token works again too (the stored role is the newest token's).
    const promoted = await reissue(m, 'moderator', iat + 2);
    expect((await pending(promoted, a)).status, 'the newer moderator token').toBe(200);
    await expect.poll(async () => (await pending(m, b)).status, { timeout: 3_000 }).toBe(200);
  });
});
