import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * zod writes a record keyed by an enum as `propertyNames` + `additionalProperties`,
 * which code generators and linters read as a map with no known keys. Spelling
 * the keys out as `properties` tells them what a client actually gets.
 */
function spellOutEnumKeys(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const def = (ctx.zodSchema as z.ZodType)._zod.def;
  if (def.type !== 'record') return;
  const keys = (def as z.core.$ZodRecordDef).keyType._zod.values;
  if (!keys) return;
  const value = ctx.jsonSchema.additionalProperties;
  ctx.jsonSchema.properties = Object.fromEntries([...keys].map((key) => [String(key), value]));
  ctx.jsonSchema.additionalProperties = false;
  delete ctx.jsonSchema.propertyNames;
}

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** One schema, inline (for schemas without a registry id). */
export function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return strip(z.toJSONSchema(schema, { io, override: spellOutEnumKeys }));
}

/** Every schema with a registry id (`.meta({id})`), each referring to the others at `prefix + id`. */
export function namedSchemas(prefix: string): Record<string, JsonSchema> {
  const all = z.toJSONSchema(z.globalRegistry, { uri: (id) => `${prefix}${id}`, io: 'output', override: spellOutEnumKeys });
  return Object.fromEntries(Object.entries(all.schemas).map(([id, s]) => [id, strip(s as JsonSchema)]));
}

/** A reference to a named schema, or the schema inline when it has no id. */
export function refOrInline(schema: z.ZodType, prefix: string, io: 'input' | 'output' = 'output'): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `${prefix}${id}` } : toSchema(schema, io);
}

/** The named schemas `roots` refer to, directly or through each other (a document lists only what it uses). */
export function usedSchemas(schemas: Record<string, JsonSchema>, roots: unknown, prefix: string): Record<string, JsonSchema> {
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix)) {
        const id = value.slice(prefix.length);
        if (!used.has(id) && schemas[id]) {
          used.add(id);
          visit(schemas[id]);
        }
      } else visit(value);
    }
  };
  visit(roots);
  return Object.fromEntries(Object.entries(schemas).filter(([id]) => used.has(id)));
}
