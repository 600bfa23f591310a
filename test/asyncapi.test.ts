import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, MODERATION_NAMESPACE, clientEvents, modClientEvents, modServerEvents, serverEvents } from '../contract/index.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;
/** A parsed JSON document, walked by key (what supertest's `res.body` is). */
type Json = ReturnType<typeof JSON.parse>;
let doc: Json;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  const res = await request(server.url).get('/api/asyncapi.json');
  expect(res.status, 'GET /api/asyncapi.json answers 200').toBe(200);
  doc = res.body;
});

afterAll(() => stopServerAndRedis(server, redis));

/** The channel whose address is a namespace, e.g. '/' or '/moderation'. */
const channelOf = (namespace: string): Json => Object.values<Json>(doc.channels ?? {}).find((c) => c.address === namespace);

/** Follows a local $ref ('#/a/b') inside the document. */
function deref(node: Json): Json {
  if (!node?.$ref) return node;
  const path = (node.$ref as string)
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return deref(path.reduce((at, key) => at?.[key], doc));
}

describe('GET /api/asyncapi.json', () => {
  it('is a valid AsyncAPI 3.0 document (@asyncapi/parser: zero errors)', async () => {
    expect(doc.asyncapi).toBe('3.0.0');
    const { diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const errors = diagnostics
      .filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error))
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    const warnings = diagnostics
      .filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Warning))
      .map((d) => `${d.code}: ${d.message}`);
    if (warnings.length > 0) console.info(`asyncapi parser warnings:\n${warnings.join('\n')}`);
    expect(errors, 'AsyncAPI parser errors').toEqual([]);
  });

  it('describes both namespaces, every event with its payload, and every ack', () => {
    const namespaces = [
      { name: '/', client: clientEvents, server: serverEvents },
      { name: MODERATION_NAMESPACE, client: modClientEvents, server: modServerEvents },
    ];
    const operations = Object.values<Json>(doc.operations ?? {});
    for (const ns of namespaces) {
      const channel = channelOf(ns.name);
      expect(channel, `a channel for namespace ${ns.name}`).toBeDefined();
      const messages = Object.values(channel.messages ?? {}).map(deref);
      const byName = (event: string) => messages.find((m) => m.name === event);
      const opsHere = operations.filter((op) => deref(op.channel) === channel);
      for (const event of Object.keys(ns.client)) {
        const message = byName(event);
        expect(message?.payload?.type, `${ns.name} client event ${event} has a payload schema`).toBeDefined();
        const op = opsHere.find((o) => o.action === 'receive' && o.messages.map(deref).includes(message));
        expect(op, `${ns.name} ${event}: an operation the server receives`).toBeDefined();
        const reply = op.reply?.messages?.map(deref) ?? [];
        expect(reply.length, `${ns.name} ${event}: its ack is the operation's reply`).toBeGreaterThan(0);
        const ack = JSON.stringify(reply.map((m: Json) => deref(m.payload)));
        expect(ack, `${ns.name} ${event}: the ack has ok true and ok false`).toMatch(/"const":true/);
        expect(ack, `${ns.name} ${event}: the ack has ok true and ok false`).toMatch(/"const":false/);
      }
      for (const event of Object.keys(ns.server)) {
        const message = byName(event);
        expect(message?.payload, `${ns.name} server event ${event} has a payload schema`).toBeDefined();
        const op = opsHere.find((o) => o.action === 'send' && o.messages.map(deref).includes(message));
        expect(op, `${ns.name} ${event}: an operation the server sends`).toBeDefined();
      }
    }
  });

  it('documents the handshake auth, the error shape and every error code', () => {
    const schemes = Object.values<Json>(doc.components?.securitySchemes ?? {});
    expect(schemes.length, 'a security scheme for the handshake token').toBeGreaterThan(0);
    expect(JSON.stringify(schemes), 'the scheme names auth.token').toContain('token');
    for (const s of Object.values<Json>(doc.servers ?? {})) expect(s.security, `server ${s.host} names its security`).toBeDefined();
    const protocols = Object.values<Json>(doc.servers ?? {}).map((s) => s.protocol);
    expect(protocols, 'a WebSocket and an HTTP (long-polling) server').toEqual(expect.arrayContaining(['ws', 'http']));
    const error = deref(doc.components?.schemas?.Error);
    expect(error?.properties?.code?.enum, 'the Error schema lists every code').toEqual([...ERROR_CODES]);
    const text = JSON.stringify(doc);
    expect(text, 'connect_error is described').toContain('connect_error');
    for (const code of ERROR_CODES) expect(text, `error code ${code} appears`).toContain(`"${code}"`);
  });
});
