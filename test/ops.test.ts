import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

let redis: TestRedis;
let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  user = await makeUser();
});

afterAll(() => stopServerAndRedis(server, redis));

describe('health and metrics', () => {
  it('reports liveness and readiness', async () => {
    expect((await request(server.url).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(server.url).get('/readyz')).body).toEqual({ status: 'ok' });
  });

  it('exposes Prometheus metrics: sockets, comments posted, ack latency, errors by code', async () => {
    await request(server.url).post('/api/threads/m/comments').set('Authorization', `Bearer ${user.token}`).send({ body: 'count me' }).expect(201);
    await request(server.url).post('/api/threads/m/comments').send({ body: 'anon' }).expect(401);
    const res = await request(server.url).get('/metrics').expect(200);
    expect(res.text).toMatch(/threadline_comments_posted_total\{transport="http"\} 1/);
    expect(res.text).toMatch(/threadline_errors_total\{transport="http",code="unauthenticated"\} 1/);
    expect(res.text).toMatch(/threadline_ack_latency_seconds_bucket/);
    expect(res.text).toMatch(/threadline_sockets_connected 0/);
    expect(res.text).toMatch(/process_resident_memory_bytes/);
  });
});

describe('when Redis goes away', () => {
  it('fails fast with 503 unavailable, reports not ready, and recovers when Redis returns', async () => {
    await redis.kill();
    const started = Date.now();
    const res = await request(server.url).post('/api/threads/outage/comments').set('Authorization', `Bearer ${user.token}`).send({ body: 'hello?' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(3_500);
    expect((await request(server.url).get('/readyz')).status).toBe(503);
    expect((await request(server.url).get('/healthz')).status).toBe(200);

    await redis.restart();
    await eventually(
      async () => {
        const back = await request(server.url).post('/api/threads/outage/comments').set('Authorization', `Bearer ${user.token}`).send({ body: 'back' });
        expect(back.status, 'posting works again once Redis is back').toBe(201);
      },
      10_000,
      100,
    );
    expect((await request(server.url).get('/readyz')).status, 'ready again once Redis is back').toBe(200);
  });
});
