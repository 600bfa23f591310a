import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;
const users: Record<string, TestUser> = {};

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  for (const [handle, name] of [
    ['MattHartwell', 'Matt Hartwell'],
    ['matthias', 'Matthias K'],
    ['mattress_fan', 'Sleepy'],
    ['itsonlyrocknroll', 'itsonlyrocknroll'],
    ['asker', 'Asker'],
  ] as const) {
    users[handle] = await makeUser({ handle, name });
  }
  // matthias and MattHartwell comment in the thread; mattress_fan is only known site-wide.
  for (const h of ['matthias', 'MattHartwell', 'itsonlyrocknroll']) {
    await request(server.url)
      .post('/api/threads/parts/comments')
      .set('Authorization', `Bearer ${users[h]!.token}`)
      .send({ body: `hi from ${h}` })
      .expect(201);
  }
  await request(server.url).get('/api/threads/x').set('Authorization', `Bearer ${users.mattress_fan!.token}`).expect(200);
});

afterAll(() => stopServerAndRedis(server, redis));

const ask = (prefix: string, user = users.asker!) =>
  request(server.url).get(`/api/threads/parts/participants`).query({ prefix }).set('Authorization', `Bearer ${user.token}`);

describe('GET /api/threads/:threadId/participants', () => {
  it('lists thread participants first (most recent first), then other users by handle prefix', async () => {
    const res = await ask('matt');
    expect(res.status).toBe(200);
    expect(res.body.users.map((u: { handle: string }) => u.handle)).toEqual(['MattHartwell', 'matthias', 'mattress_fan']);
    expect(res.body.users[0]).toEqual({ id: users.MattHartwell!.id, handle: 'MattHartwell', name: 'Matt Hartwell' });
  });

  it('accepts a leading @ and matches words of display names', async () => {
    const res = await ask('@hart');
    expect(res.body.users.map((u: { handle: string }) => u.handle)).toEqual(['MattHartwell']);
  });

  it('with no prefix lists recent participants, never the asker', async () => {
    const res = await ask('', users.matthias);
    expect(res.body.users.map((u: { handle: string }) => u.handle)).toEqual(['itsonlyrocknroll', 'MattHartwell']);
  });

  it('requires sign-in and validates the prefix', async () => {
    expect((await request(server.url).get('/api/threads/parts/participants?prefix=m')).status).toBe(401);
    expect((await ask('<script>')).status).toBe(400);
    expect((await ask('x'.repeat(40))).status).toBe(400);
  });
});
