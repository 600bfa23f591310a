import { z } from 'zod';
import { HTTP_STATUS_BY_CODE, HttpErrorSchema, restRoutes, type RestRoute } from '../../contract/index.ts';

const ref = (schema: z.ZodType): { $ref: string } | Record<string, unknown> => {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  return strip(z.toJSONSchema(schema, { io: 'output' }));
};

function strip(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

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
          schema: strip(z.toJSONSchema(field, { io: 'input' }) as Record<string, unknown>),
        }))
      : [];
  return [...path, ...fields(route.query, 'query'), ...fields(route.headers, 'header')];
}

function errorResponses(route: RestRoute): Record<string, unknown> {
  const codes = new Set<number>([HTTP_STATUS_BY_CODE.internal, HTTP_STATUS_BY_CODE.unavailable]);
  if (route.body || route.query || route.path.includes(':')) codes.add(HTTP_STATUS_BY_CODE.invalid_payload);
  if (route.body) codes.add(HTTP_STATUS_BY_CODE.payload_too_large);
  if (route.auth !== 'none') codes.add(HTTP_STATUS_BY_CODE.unauthenticated);
  if (route.auth === 'moderator' || route.auth === 'admin' || route.method === 'patch' || route.method === 'delete')
    codes.add(HTTP_STATUS_BY_CODE.forbidden);
  const out: Record<string, unknown> = {};
  for (const status of [...codes].sort()) {
    out[String(status)] = { description: 'Error', content: { 'application/json': { schema: ref(HttpErrorSchema) } } };
  }
  return out;
}

/** OpenAPI 3.1 generated from the contract's zod schemas and route table. */
export function buildOpenApi(version: string): unknown {
  const components = z.toJSONSchema(z.globalRegistry, { uri: (id) => `#/components/schemas/${id}`, io: 'output' });
  const schemas = Object.fromEntries(Object.entries(components.schemas).map(([id, s]) => [id, strip(s as Record<string, unknown>)]));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of restRoutes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const success = { description: 'OK', ...(route.response ? { content: { 'application/json': { schema: ref(route.response) } } } : {}) };
    const responses: Record<string, unknown> = { [String(route.status)]: success, ...errorResponses(route) };
    for (const also of route.alsoReturns ?? []) responses[String(also)] = success;
    (paths[path] ??= {})[route.method] = {
      summary: route.summary,
      ...(route.auth === 'none' ? {} : { security: route.auth === 'optional' ? [{}, { bearer: [] }] : [{ bearer: [] }] }),
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Threadline', version, description: 'Comments API. Live events use Socket.IO; see docs/.' },
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
