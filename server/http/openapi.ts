import { z } from 'zod';
import {
  HTTP_STATUS_BY_CODE,
  HttpErrorSchema,
  WebhookPayloadSchema,
  restRoutes,
  type ErrorCode,
  type RestRoute,
} from '../../contract/index.ts';
import { namedSchemas, refOrInline, toSchema, usedSchemas } from './json-schema.ts';

const SCHEMAS = '#/components/schemas/';
const ref = (schema: z.ZodType) => refOrInline(schema, SCHEMAS);

function parameters(route: RestRoute): unknown[] {
  const path = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const fields = (schema: z.ZodType | undefined, where: 'query' | 'header') =>
    schema instanceof z.ZodObject
      ? Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({
          name,
          in: where,
          required: !field.safeParse(undefined).success,
          schema: toSchema(field, 'input'),
        }))
      : [];
  return [...path, ...fields(route.query, 'query'), ...fields(route.headers, 'header')];
}

/** Stable and unique: method plus path, e.g. `GET /api/threads/:threadId` is `getApiThreadsByThreadId`. */
export function operationId(route: RestRoute): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/**
 * The errors a route can answer: those its shape implies plus the ones the
 * table names. Every /api route refuses a browser from an origin not allowed
 * (forbidden); a token is checked on every route that takes one (unauthenticated,
 * and conflict when its handle belongs to another account), which reads Redis.
 */
function errorCodes(route: RestRoute): Set<ErrorCode> {
  const codes = new Set<ErrorCode>(['internal', ...(route.errors ?? [])]);
  if (route.body || route.query || route.headers || route.path.includes(':')) codes.add('invalid_payload');
  if (route.body) codes.add('payload_too_large');
  if (route.path.startsWith('/api/') && route.auth !== 'none') codes.add('forbidden');
  if (route.auth === 'moderator' || route.auth === 'admin') codes.add('forbidden');
  if (route.auth !== 'none') for (const code of ['unauthenticated', 'conflict', 'unavailable'] as const) codes.add(code);
  return codes;
}

function errorResponses(route: RestRoute): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(route)) {
    const status = HTTP_STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, unknown> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: `Error: ${codes.map((c) => `\`${c}\``).join(', ')}`,
      ...(codes.includes('rate_limited')
        ? { headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } } } }
        : {}),
      content: { 'application/json': { schema: ref(HttpErrorSchema) } },
    };
  }
  return out;
}

function security(route: RestRoute): unknown[] {
  if (route.auth === 'none') return [];
  if (route.auth === 'optional') return [{}, { bearer: [] }];
  return [{ bearer: [] }];
}

/** OpenAPI 3.1 generated from the contract's zod schemas and route table. */
export function buildOpenApi(version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of restRoutes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const success = { description: 'OK', ...(route.response ? { content: { 'application/json': { schema: ref(route.response) } } } : {}) };
    const responses: Record<string, unknown> = { [String(route.status)]: success, ...errorResponses(route) };
    for (const also of route.alsoReturns ?? []) responses[String(also)] = success;
    (paths[path] ??= {})[route.method] = {
      operationId: operationId(route),
      summary: route.summary,
      security: security(route),
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body) } } } } : {}),
      responses,
    };
  }
  const webhooks = {
    notification: {
      post: {
        operationId: 'notificationWebhook',
        summary:
          'A notification POSTed to NOTIFY_WEBHOOK_URL, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: ref(WebhookPayloadSchema) } } },
        responses: { '200': { description: 'Any 2xx: received; anything else is retried' } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Threadline',
      version,
      description:
        'Comments API, generated from the wire contract (contract/). Live events use Socket.IO: see /api/asyncapi.json. ' +
        'Errors are `{error: {code, message, details?, retryAfterMs?}}`.',
    },
    // Relative: the API is wherever this document was fetched from.
    servers: [{ url: '/', description: 'This server' }],
    security: [{ bearer: [] }],
    components: {
      // Socket-only schemas (thread and moderation events) are in the AsyncAPI document.
      schemas: usedSchemas(namedSchemas(SCHEMAS), { paths, webhooks }, SCHEMAS),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The host site signs the JWT' } },
    },
    paths,
    webhooks,
  };
}
