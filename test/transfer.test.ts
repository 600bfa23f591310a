import { get, type IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeUser, type TestUser } from './support/clients.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';

/**
 * What crosses the wire: scripts and JSON compressed when the client accepts
 * it, scripts revalidated by ETag, and WebSocket per-message deflate only when
 * SOCKET_PER_MESSAGE_DEFLATE is on.
 */

let redis: TestRedis;
let plain: TestServer;
let deflating: TestServer;
let alice: TestUser;

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A raw GET: no client that decompresses or caches behind the test's back. */
function fetchRaw(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The extensions the server agreed to in its WebSocket handshake answer ('' if none). */
function negotiatedExtensions(server: TestServer): Promise<string> {
  return new Promise((resolve, reject) => {
    // ws offers permessage-deflate by default, as browsers do.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: true });
    ws.on('upgrade', (res) => {
      resolve(String(res.headers['sec-websocket-extensions'] ?? ''));
      ws.close();
    });
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  redis = await startRedis();
  plain = await startServer(redis.url);
  deflating = await startServer(redis.url, { SOCKET_PER_MESSAGE_DEFLATE: 'on' });
  alice = await makeUser({ name: 'Alice' });
});

afterAll(async () => {
  await plain?.close();
  await deflating?.close();
  await redis?.stop();
});

describe('HTTP compression', () => {
  // /admin/login.js is under HTTP_COMPRESSION_THRESHOLD_BYTES.
  for (const path of ['/widget.js', '/moderate.js']) {
    it(`sends ${path} gzip-compressed to a client that accepts gzip, and plain to one that does not`, async () => {
      const zipped = await fetchRaw(`${plain.url}${path}`, { 'accept-encoding': 'gzip' });
      expect(zipped.status).toBe(200);
      expect(zipped.headers['content-encoding'], `${path} should be sent with Content-Encoding: gzip`).toBe('gzip');
      expect(zipped.headers.vary ?? '', 'caches must keep gzip and plain apart').toMatch(/accept-encoding/i);
      const raw = await fetchRaw(`${plain.url}${path}`, { 'accept-encoding': 'identity' });
      expect(raw.headers['content-encoding'], 'a client that does not accept gzip gets the plain script').toBeUndefined();
      expect(gunzipSync(zipped.body).equals(raw.body), 'the gzip body unpacks to the plain script').toBe(true);
      expect(zipped.body.length, 'gzip should at least halve a minified bundle').toBeLessThan(raw.body.length / 2);
      const br = await fetchRaw(`${plain.url}${path}`, { 'accept-encoding': 'br, gzip' });
      expect(br.headers['content-encoding'], 'a client that accepts brotli gets brotli').toBe('br');
      expect(brotliDecompressSync(br.body).equals(raw.body), 'the brotli body unpacks to the plain script').toBe(true);
    });
  }

  it('sends a large page of comments gzip-compressed', async () => {
    const threadId = 'transfer-big-page';
    const body = 'A long comment about the summit, with a few words repeated. '.repeat(30);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${plain.url}/api/threads/${threadId}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: `${i}: ${body}` }),
      });
      expect(res.status, 'posting the page’s comments').toBe(201);
    }
    const page = await fetchRaw(`${plain.url}/api/threads/${threadId}/comments?limit=20`, { 'accept-encoding': 'gzip' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding'], 'a 35 kB JSON page should be sent with Content-Encoding: gzip').toBe('gzip');
    const json = JSON.parse(gunzipSync(page.body).toString('utf8')) as { comments: unknown[] };
    expect(json.comments).toHaveLength(20);
  });

  it('leaves small JSON answers uncompressed (below HTTP_COMPRESSION_THRESHOLD_BYTES)', async () => {
    const res = await fetchRaw(`${plain.url}/healthz`, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
  });
});

describe('caching of scripts', () => {
  for (const path of ['/widget.js', '/moderate.js', '/admin/login.js']) {
    it(`${path}: ETag with Cache-Control: no-cache, and 304 without a body on If-None-Match`, async () => {
      const first = await fetchRaw(`${plain.url}${path}`, { 'accept-encoding': 'gzip' });
      const etag = first.headers.etag;
      expect(etag, `${path} should carry an ETag`).toMatch(/^(W\/)?"[^"]+"$/);
      expect(first.headers['cache-control'], 'a stable URL must be revalidated, so a deploy reaches every reader').toBe('no-cache');
      const again = await fetchRaw(`${plain.url}${path}`, { 'accept-encoding': 'gzip', 'if-none-match': etag! });
      expect(again.status, 'a matching If-None-Match should be answered 304 Not Modified').toBe(304);
      expect(again.body.length).toBe(0);
      const stale = await fetchRaw(`${plain.url}${path}`, { 'accept-encoding': 'gzip', 'if-none-match': 'W/"not-this-one"' });
      expect(stale.status, 'another ETag gets the script').toBe(200);
    });
  }
});

describe('SOCKET_PER_MESSAGE_DEFLATE', () => {
  it('is off by default: the WebSocket handshake agrees to no permessage-deflate', async () => {
    expect(await negotiatedExtensions(plain)).not.toContain('permessage-deflate');
  });

  it('when on, the WebSocket handshake negotiates permessage-deflate', async () => {
    expect(await negotiatedExtensions(deflating), 'Sec-WebSocket-Extensions of the 101 answer').toContain('permessage-deflate');
  });
});
