import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfig, lint } from '@redocly/openapi-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_STATUS_BY_CODE, restRoutes } from '../contract/index.ts';
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

  it('passes the Redocly recommended ruleset with zero errors and zero warnings', async () => {
    const res = await request(server.url).get('/api/openapi.json').expect(200);
    const dir = await mkdtemp(join(tmpdir(), 'threadline-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(res.body));
      // Off: the project declares no licence; health probes and static files have no client error to list.
      const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off', 'operation-4xx-response': 'off' } });
      const problems = await lint({ ref: file, config });
      const report = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
      expect(report, 'Redocly lint problems').toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names every operation, and declares servers and who may call each route', async () => {
    const doc = (await request(server.url).get('/api/openapi.json').expect(200)).body;
    expect(doc.servers, 'servers').toEqual(expect.arrayContaining([expect.objectContaining({ url: expect.any(String) })]));
    expect(doc.security, 'bearer by default').toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ids = new Set<string>();
    for (const route of restRoutes) {
      const op = doc.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')][route.method];
      const name = `${route.method.toUpperCase()} ${route.path}`;
      expect(op.operationId, `${name} has an operationId`).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(ids.has(op.operationId), `${name}: operationId ${op.operationId} is unique`).toBe(false);
      ids.add(op.operationId);
      if (route.auth === 'none') expect(op.security, `${name} is public: security []`).toEqual([]);
      if (route.auth === 'user' || route.auth === 'moderator') expect(op.security, `${name} needs a token`).toEqual([{ bearer: [] }]);
    }
  });

  it('lists every error a route can return, with the error schema (429 with Retry-After)', async () => {
    const doc = (await request(server.url).get('/api/openapi.json').expect(200)).body;
    const op = (method: string, path: string) => doc.paths[path][method];
    const statuses = (method: string, path: string) => Object.keys(op(method, path).responses);
    const post = '/api/threads/{threadId}/comments';
    for (const status of [400, 401, 403, 409, 413, 423, 429, 500, 503]) {
      expect(statuses('post', post), `POST comments lists ${status}`).toContain(String(status));
    }
    expect(statuses('patch', '/api/comments/{commentId}'), 'edit: 404, 409, 429').toEqual(expect.arrayContaining(['404', '409', '429']));
    expect(statuses('delete', '/api/comments/{commentId}'), 'delete: 404').toContain('404');
    expect(statuses('post', '/api/comments/{commentId}/report'), 'report: 404, 429').toEqual(expect.arrayContaining(['404', '429']));
    expect(statuses('post', '/api/moderation/comments/{commentId}/{action}'), 'moderate: 404, 409').toEqual(
      expect.arrayContaining(['404', '409']),
    );
    expect(statuses('post', '/api/moderation/claims/{commentId}'), 'claim: 409').toContain('409');
    expect(statuses('get', '/api/admin/users/{userId}/export'), 'admin export: 404').toContain('404');
    expect(statuses('get', '/readyz'), 'readyz: 503').toContain('503');
    for (const [path, item] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: Record<string, ReturnType<typeof JSON.parse>> }>>,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const where = `${method.toUpperCase()} ${path} ${status}`;
          expect(response.content?.['application/json']?.schema, `${where} has the error schema`).toEqual({
            $ref: '#/components/schemas/HttpError',
          });
          if (Number(status) === HTTP_STATUS_BY_CODE.rate_limited)
            expect(response.headers?.['Retry-After'], `${where} has Retry-After`).toBeDefined();
        }
      }
    }
  });

  it('gives the queue counts their properties', async () => {
    const doc = (await request(server.url).get('/api/openapi.json').expect(200)).body;
    const counts = doc.components.schemas.QueuePage.properties.counts;
    expect(Object.keys(counts.properties ?? {}), 'QueuePage.counts lists each queue').toEqual([
      'pending',
      'reported',
      'flagged',
      'rejected',
    ]);
    const reasons = doc.components.schemas.QueueItem.properties.reports.properties.reasons;
    expect(Object.keys(reasons.properties ?? {}), 'report reasons are listed').toEqual(['spam', 'abuse', 'off_topic', 'other']);
  });

  it('answers unknown routes with a typed 404', async () => {
    const res = await request(server.url).get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found' });
    expect(res.body.error.message, 'the unknown-route 404 message that the served-routes test looks for').toMatch(NO_ROUTE);
  });
});
