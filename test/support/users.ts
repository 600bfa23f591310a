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
  if (opts.signIn) await request(server.url).get('/api/threads/x').set('Authorization', `Bearer ${u.token}`).expect(200);
  return u;
}
