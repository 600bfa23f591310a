import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODERATION_NAMESPACE } from '../contract/index.ts';
import { signToken } from '../server/auth/tokens.ts';
import { connectError, connectSocket, makeUser, ok, record, request as emit, sessionOf, waitPastExpiry } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, startServer, stopServerAndRedis, TEST_SECRET, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
});

afterAll(() => stopServerAndRedis(server, redis));

const key = (s: string) => new TextEncoder().encode(s);
const nowS = () => Math.floor(Date.now() / 1000);

function craft(claims: Record<string, unknown>, opts: { secret?: string; alg?: string } = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).sign(key(opts.secret ?? TEST_SECRET));
}

const valid = { sub: 'u-auth', handle: 'authuser', name: 'Auth User', role: 'commenter' };

const badTokens: [string, () => Promise<string>, RegExp][] = [
  ['an expired token', () => craft({ ...valid, exp: nowS() - 60 }), /expired/],
  [
    'a token signed with another secret',
    () => craft({ ...valid, exp: nowS() + 60 }, { secret: 'another-secret-0123456789-0123456789' }),
    /signature/,
  ],
  ['a token without exp', () => craft(valid), /exp/],
  ['a token with an invalid handle', () => craft({ ...valid, handle: 'no spaces allowed', exp: nowS() + 60 }), /handle/],
  ['a token with an unknown role', () => craft({ ...valid, role: 'superuser', exp: nowS() + 60 }), /role/],
  ['a token with a 65-character name', () => craft({ ...valid, name: 'n'.repeat(65), exp: nowS() + 60 }), /name/],
  ['garbage', async () => 'not.a.jwt', /malformed/],
];

describe('REST authentication', () => {
  it.each(badTokens)('refuses %s with 401 unauthenticated', async (_label, make, message) => {
    const res = await request(server.url)
      .post('/api/threads/auth-t/comments')
      .set('Authorization', `Bearer ${await make()}`)
      .send({ body: 'hi' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses a malformed Authorization header rather than treating it as anonymous', async () => {
    const res = await request(server.url).get('/api/threads/auth-t').set('Authorization', 'Token abc');
    expect(res.status).toBe(401);
  });

  it('upserts users on first sight and refuses a handle held by another sub (409), case-insensitively', async () => {
    const first = await makeUser({ handle: 'Matt_H', id: 'sub-matt-1' });
    await request(server.url)
      .post('/api/threads/auth-h/comments')
      .set('Authorization', `Bearer ${first.token}`)
      .send({ body: 'hi' })
      .expect(201);
    const impostor = await makeUser({ handle: 'matt_h', id: 'sub-matt-2' });
    const res = await request(server.url)
      .post('/api/threads/auth-h/comments')
      .set('Authorization', `Bearer ${impostor.token}`)
      .send({ body: 'hi' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message).toMatch(/matt_h/);
    expect(await redis.client.hget(`${server.prefix}{u}:user:sub-matt-1`, 'handle')).toBe('Matt_H');
  });

  it('frees the old handle when a user changes handle', async () => {
    const before = await makeUser({ handle: 'oldname', id: 'sub-renamer' });
    await request(server.url).get('/api/threads/x').set('Authorization', `Bearer ${before.token}`).expect(200);
    const after = await makeUser({ handle: 'newname', id: 'sub-renamer' });
    await request(server.url).get('/api/threads/x').set('Authorization', `Bearer ${after.token}`).expect(200);
    const taker = await makeUser({ handle: 'oldname', id: 'sub-taker' });
    await request(server.url).get('/api/threads/x').set('Authorization', `Bearer ${taker.token}`).expect(200);
    expect(await redis.client.hget(`${server.prefix}{u}:handles`, 'newname')).toBe('sub-renamer');
    expect(await redis.client.hget(`${server.prefix}{u}:handles`, 'oldname')).toBe('sub-taker');
  });

  it('never takes the author from the body: comments carry the token’s identity', async () => {
    const u = await makeUser({ name: 'Real Name' });
    const res = await request(server.url)
      .post('/api/threads/auth-body/comments')
      .set('Authorization', `Bearer ${u.token}`)
      .send({ body: 'hi', author: { id: 'someone-else' } });
    expect(res.status).toBe(400);
  });
});

describe('socket authentication', () => {
  it.each(badTokens)('fails the handshake for %s with connect_error data.code unauthenticated', async (_label, make) => {
    const err = await connectError(server.url, { token: await make() });
    expect(err.data?.code).toBe('unauthenticated');
  });

  it('fails the handshake for a non-string token', async () => {
    const err = await connectError(server.url, { token: 12345 });
    expect(err.data?.code).toBe('unauthenticated');
  });

  it('tells a signed-in socket who it is, and an anonymous one that it is nobody', async () => {
    const u = await makeUser({ name: 'Sess Ion' });
    const signedIn = await connectSocket(server.url, u.token);
    const anon = await connectSocket(server.url);
    expect(sessionOf(signedIn)).toMatchObject({ user: { id: u.id, handle: u.handle, name: 'Sess Ion', role: 'commenter' } });
    expect(Date.parse(sessionOf(signedIn)!.expiresAt!)).toBeGreaterThan(Date.now());
    expect(sessionOf(anon)).toEqual({ user: null, expiresAt: null, banned: null });
    signedIn.disconnect();
    anon.disconnect();
  });

  it('disconnects a socket when its token expires, saying why', async () => {
    const u = await makeUser({ ttlSeconds: 2 });
    const s = await connectSocket(server.url, u.token);
    const expired = record(s, 'auth:expired');
    const disconnected = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    await expired.waitFor(1, 8_000);
    expect(await disconnected).toBe('io server disconnect');
  });

  it('keeps a socket connected past the old expiry after auth:refresh with a new token', async () => {
    const u = await makeUser({ handle: 'refresher', id: 'sub-refresher', ttlSeconds: 2 });
    const s = await connectSocket(server.url, u.token);
    const expired = record(s, 'auth:expired');
    const longer = await makeUser({ handle: 'refresher', id: 'sub-refresher', ttlSeconds: 3600 });
    const res = await ok(s, 'auth:refresh', { token: longer.token });
    expect(Date.parse(res.expiresAt)).toBeGreaterThan(Date.now() + 3000_000);
    const other = await makeUser({ ttlSeconds: 3600 });
    expect(await emit(s, 'auth:refresh', { token: other.token })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await waitPastExpiry(server.url, u.token);
    expect(expired.seen, 'no auth:expired for the refreshed socket at its old expiry').toEqual([]);
    expect(s.connected, 'the refreshed socket is still connected after its old expiry').toBe(true);
    expect((await emit(s, 'auth:refresh', { token: longer.token })).ok, 'the refreshed socket still answers').toBe(true);
    s.disconnect();
  });

  it('mints tokens the server accepts (npm run token uses signToken)', async () => {
    const token = await signToken(TEST_SECRET, { sub: 'cli-user', handle: 'cliuser', name: 'CLI', role: 'moderator' });
    const res = await request(server.url)
      .put('/api/threads/cli-thread')
      .set('Authorization', `Bearer ${token}`)
      .send({ title: 'T', url: 'https://example.com/a' });
    expect(res.status).toBe(200);
  });
});

describe('token lifetime, issuer and audience', () => {
  const eightDays = 8 * 86_400;

  /** Every way a token reaches the server, each answering with its refusal (or null when accepted). */
  async function refusals(target: TestServer, token: string): Promise<Record<string, { code: string; message: string } | null>> {
    const rest = await request(target.url).get('/api/threads/auth-ttl').set('Authorization', `Bearer ${token}`);
    const reader = await connectError(target.url, { token }).then(
      (err) => err.data ?? null,
      () => null,
    );
    const moderation = await connectError(`${target.url}${MODERATION_NAMESPACE}`, { token }).then(
      (err) => err.data ?? null,
      () => null,
    );
    const s = await connectSocket(target.url);
    const refresh = await emit(s, 'auth:refresh', { token });
    s.disconnect();
    return {
      rest: rest.status === 200 ? null : rest.body.error,
      reader,
      moderation,
      'auth:refresh': refresh.ok ? null : refresh.error,
    };
  }

  it('refuses a token whose exp lies more than AUTH_MAX_TOKEN_TTL_SECONDS (7 days) ahead, saying why, on REST, both namespaces and auth:refresh', async () => {
    const long = await craft({ ...valid, sub: 'u-long', handle: 'longlived', role: 'moderator', exp: nowS() + eightDays });
    const refused = await refusals(server, long);
    for (const [where, error] of Object.entries(refused)) {
      expect(error, `${where}: a token valid for 8 days`).toMatchObject({
        code: 'unauthenticated',
        message: expect.stringMatching(/lifetime|too far/i),
      });
    }
    const fine = await craft({ ...valid, sub: 'u-long', handle: 'longlived', role: 'moderator', exp: nowS() + 6 * 86_400 });
    expect(
      (await request(server.url).get('/api/threads/auth-ttl').set('Authorization', `Bearer ${fine}`)).status,
      'a token valid for 6 days',
    ).toBe(200);
  });

  it('refuses a token whose exp lies more than AUTH_MAX_TOKEN_TTL_SECONDS after its iat, even when little of it is left (an erasure is remembered that long)', async () => {
    const old = await craft({
      ...valid,
      sub: 'u-old',
      handle: 'oldlived',
      role: 'moderator',
      iat: nowS() - 3 * 86_400,
      exp: nowS() + 6 * 86_400,
    });
    const res = await request(server.url).get('/api/threads/auth-ttl').set('Authorization', `Bearer ${old}`);
    expect([res.status, res.body.error?.code, res.body.error?.message], 'a token issued 3 days ago for 9 days').toEqual([
      401,
      'unauthenticated',
      expect.stringMatching(/lifetime.*after iat/),
    ]);
    const fine = await craft({
      ...valid,
      sub: 'u-old',
      handle: 'oldlived',
      role: 'moderator',
      iat: nowS() - 3 * 86_400,
      exp: nowS() + 3 * 86_400,
    });
    expect(
      (await request(server.url).get('/api/threads/auth-ttl').set('Authorization', `Bearer ${fine}`)).status,
      'a token issued 3 days ago for 6 days',
    ).toBe(200);
  });

  it('checks iss and aud when AUTH_ISSUER and AUTH_AUDIENCE are set', async () => {
    const strict = await startServer(redis.url, {
      AUTH_ISSUER: 'https://news.example.com',
      AUTH_AUDIENCE: 'threadline',
      AUTH_MAX_TOKEN_TTL_SECONDS: '3600',
    });
    try {
      const base = { ...valid, sub: 'u-iss', handle: 'issuser', role: 'moderator', exp: nowS() + 600 };
      const cases: [string, Record<string, unknown>, RegExp | null][] = [
        ['the right issuer and audience', { ...base, iss: 'https://news.example.com', aud: 'threadline' }, null],
        ['another issuer', { ...base, iss: 'https://evil.example', aud: 'threadline' }, /iss/],
        ['no issuer', { ...base, aud: 'threadline' }, /iss/],
        ['another audience', { ...base, iss: 'https://news.example.com', aud: 'someone-else' }, /aud/],
        ['no audience', { ...base, iss: 'https://news.example.com' }, /aud/],
        [
          'a lifetime over this server’s 1 hour',
          { ...base, iss: 'https://news.example.com', aud: 'threadline', exp: nowS() + 7200 },
          /lifetime/,
        ],
      ];
      for (const [label, claims, message] of cases) {
        const refused = await refusals(strict, await craft(claims));
        for (const [where, error] of Object.entries(refused)) {
          if (message)
            expect(error, `${where}: ${label}`).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(message) });
          else expect(error, `${where}: ${label}`).toBeNull();
        }
      }
      // npm run token and the demo mint with the server's settings.
      const minted = await signToken(
        TEST_SECRET,
        { sub: 'u-iss', handle: 'issuser', name: 'Iss', role: 'moderator' },
        600,
        strict.app.deps.config.auth,
      );
      expect(await refusals(strict, minted), 'a token minted by signToken with the server’s auth settings').toEqual({
        rest: null,
        reader: null,
        moderation: null,
        'auth:refresh': null,
      });
    } finally {
      await strict.close();
    }
  });
});
