import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadResponseSchema } from '../contract/index.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;
let commenter: TestUser;
let mod: TestUser;
let admin: TestUser;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  commenter = await makeUser();
  mod = await makeUser({ role: 'moderator' });
  admin = await makeUser({ role: 'admin' });
});

afterAll(() => stopServerAndRedis(server, redis));

const put = (threadId: string, body: unknown, user?: TestUser) => {
  const req = request(server.url).put(`/api/threads/${threadId}`);
  if (user) req.set('Authorization', `Bearer ${user.token}`);
  return req.send(body as object);
};

describe('PUT /api/threads/:threadId', () => {
  it('lets moderators and admins create a thread with an epoch, and update it without changing the epoch', async () => {
    const created = await put('pt-1', { title: 'Kim invites Moon', url: 'https://news.example.com/a/1' }, mod);
    expect(created.status).toBe(200);
    const { thread } = ThreadResponseSchema.parse(created.body);
    expect(thread).toMatchObject({
      id: 'pt-1',
      title: 'Kim invites Moon',
      url: 'https://news.example.com/a/1',
      commentCount: 0,
      offset: 0,
      locked: false,
    });
    expect(thread.epoch).toMatch(/^[0-9a-f]{16}$/);

    const updated = await put('pt-1', { title: 'Kim invites Moon to Pyongyang', url: 'https://news.example.com/a/1' }, admin);
    expect(updated.body.thread).toMatchObject({ title: 'Kim invites Moon to Pyongyang', epoch: thread.epoch });
    expect((await request(server.url).get('/api/threads/pt-1')).body).toEqual(updated.body);
  });

  it('refuses anonymous (401) and commenters (403)', async () => {
    const body = { title: 'T', url: 'https://news.example.com/a/2' };
    expect((await put('pt-2', body)).status).toBe(401);
    const res = await put('pt-2', body, commenter);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await redis.client.exists(`${server.prefix}{t:pt-2}:meta`)).toBe(0);
  });

  it.each([
    [{ title: '', url: 'https://news.example.com/' }, 'title'],
    [{ title: 'T', url: 'javascript:alert(1)' }, 'url'],
    [{ title: 'T', url: 'not a url' }, 'url'],
    [{ title: 'T' }, 'url'],
    [{ title: 'T', url: 'https://news.example.com/', locked: true }, '(root)'],
  ])('rejects %j with invalid_payload on %s', async (body, path) => {
    const res = await put('pt-3', body, mod);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
  });
});

describe('locked threads', () => {
  it('refuses new comments with 423 thread_locked and writes nothing', async () => {
    await put('pt-locked', { title: 'Locked', url: 'https://news.example.com/l' }, mod).expect(200);
    const locked = await request(server.url)
      .patch('/api/moderation/threads/pt-locked')
      .set('Authorization', `Bearer ${mod.token}`)
      .send({ locked: true });
    expect(locked.status).toBe(200);
    expect(locked.body.thread).toMatchObject({ id: 'pt-locked', locked: true, offset: 0, commentCount: 0 });
    const res = await request(server.url)
      .post('/api/threads/pt-locked/comments')
      .set('Authorization', `Bearer ${commenter.token}`)
      .send({ body: 'let me in' });
    expect(res.status).toBe(423);
    expect(res.body.error.code).toBe('thread_locked');
    expect((await request(server.url).get('/api/threads/pt-locked')).body.thread).toMatchObject({
      locked: true,
      offset: 0,
      commentCount: 0,
    });
  });
});
