import request from 'supertest';
import { makeUser, type TestUser } from './clients.ts';
import type { TestServer } from './server.ts';

/**
 * A fresh user whose account was first seen two days ago: past the
 * new-account window (RATE_NEW_ACCOUNT_HOURS, 24 h by default), so it gets the
 * full per-user limits and the established-account screening rules. The date
 * is written to the user record `server` keeps in Redis.
 *
 * With `signIn`, the user also makes one signed-in request to `server`, which
 * registers its handle (so @mentions of it resolve) and keeps that date.
 */
export async function veteran(server: TestServer, handle: string, opts: { signIn?: boolean } = {}): Promise<TestUser> {
  const u = await makeUser({ handle });
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
  await server.redis.hset(server.app.deps.store.keys.user.record(u.id), 'createdAt', twoDaysAgo);
  if (opts.signIn) await signIn(server, u);
  return u;
}

/**
 * One signed-in request to `server`: the user is known there from now on (its
 * first sight registers its handle, so @mentions of it resolve).
 */
export async function signIn(server: TestServer, user: { token: string }): Promise<void> {
  await request(server.url).get('/api/threads/warmup').set('Authorization', `Bearer ${user.token}`).expect(200);
}

/**
 * A fresh user signed in to `server`, named after its handle ('_' as spaces)
 * unless `name` is given, with the address <handle>@example.com unless
 * `email` is false.
 */
export async function signedInUser(server: TestServer, handle: string, opts: { name?: string; email?: boolean } = {}): Promise<TestUser> {
  const u = await makeUser({
    handle,
    name: opts.name ?? handle.replace(/_/g, ' '),
    ...(opts.email === false ? {} : { email: `${handle}@example.com` }),
  });
  await signIn(server, u);
  return u;
}
