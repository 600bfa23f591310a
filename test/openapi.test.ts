import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restRoutes } from '../contract/index.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
});

afterAll(() => stopServerAndRedis(server, redis));

/**
 * How the server words a 404 for a route it does not have (as opposed to a 404
 * for a missing thread or comment). The served-routes test relies on it, and
 * the unknown-route test pins it, so rewording it cannot make that test vacuous.
 */
const NO_ROUTE = /^No route for /;

const samplePath = (path: string) => path.replace(':threadId', 'openapi-thread').replace(':commentId', 'openapi-thread~AAAAAAAAAAAA');

describe('GET /api/openapi.json', () => {
  it('describes every route of the contract with its schemas', async () => {
    const res = await request(server.url).get('/api/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const route of restRoutes) {
      const op = res.body.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method];
      expect(op, `${route.method} ${route.path} is documented`).toBeDefined();
      expect(op.responses[String(route.status)]).toBeDefined();
    }
    const post = res.body.paths['/api/threads/{threadId}/comments'].post;
    expect(post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PostCommentBody' });
    expect(res.body.components.schemas.Comment.properties.status.enum).toEqual(['visible', 'pending', 'removed', 'deleted']);
    expect(res.body.components.schemas.PostCommentBody.additionalProperties).toBe(false);
    expect(post.parameters, 'POST comments documents the Idempotency-Key header').toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    );
  });

  it('matches the server: every documented route is served (no 404 for a route in the table)', async () => {
    for (const route of restRoutes) {
      const res = await request(server.url)
        [route.method](samplePath(route.path))
        .send(route.body ? {} : undefined);
      const routeMissing = res.status === 404 && NO_ROUTE.test(res.body?.error?.message ?? '');
      expect(routeMissing, `${route.method.toUpperCase()} ${route.path} is served`).toBe(false);
    }
  });

  it('answers unknown routes with a typed 404', async () => {
    const res = await request(server.url).get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found' });
    expect(res.body.error.message, 'the unknown-route 404 message that the served-routes test looks for').toMatch(NO_ROUTE);
  });
});
