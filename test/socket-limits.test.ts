import request from 'supertest';
import { io as connect } from 'socket.io-client';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectError,
  connectSocket,
  makeUser,
  moderationAttempt,
  ok,
  record,
  request as emit,
  type ClientSocket,
} from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

let redis: TestRedis;
let server: TestServer;
const ORIGIN = 'https://news.example.com';

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer({
    SOCKET_EVENTS_PER_SECOND: '20',
    SOCKET_EVENT_BURST: '40',
    SOCKET_FLOOD_SECONDS: '10',
    SOCKET_FLOOD_MAX_REFUSED: '200',
    MAX_CONNECTIONS_PER_USER: '3',
    MAX_CONNECTIONS_PER_IP: '4',
    HANDSHAKES_PER_IP_PER_MINUTE: '6',
    TRUSTED_PROXIES: 'loopback',
    ALLOWED_ORIGINS: `${ORIGIN},https://www.example.com`,
  }));
});

afterAll(() => stopServerAndRedis(server, redis));

let ipN = 0;
const freshIp = () => `198.51.100.${++ipN}`;

/** A ws message as text (a Buffer with the default binaryType; the other shapes for completeness). */
function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString();
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return Buffer.from(data).toString();
}

function socketFrom(ip: string, token?: string, origin?: string): Promise<ClientSocket> {
  return connectSocket(server.url, token, { extraHeaders: { 'x-forwarded-for': ip, ...(origin ? { origin } : {}) } });
}

type Refusal = { code: string; details?: { scope: string; limit?: number } };

/** One connection attempt from `ip`: the refusal's data, or 'connected' (then closed at once). */
function attempt(ip: string, token?: string): Promise<Refusal | 'connected' | undefined> {
  return new Promise((resolve) => {
    const s = connect(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: token ? { token } : {},
      extraHeaders: { 'x-forwarded-for': ip },
    });
    s.once('connect', () => (s.disconnect(), resolve('connected')));
    s.once('connect_error', (err) => (s.disconnect(), resolve((err as { data?: Refusal }).data)));
  });
}

describe('event flood', () => {
  it('refuses events over 20/s (burst 40) and disconnects a socket sending 1,000 in a second, while others keep posting', async () => {
    const ip = freshIp();
    const flooder = await socketFrom(ip, (await makeUser()).token);
    const closing = record(flooder, 'connection:closing');
    const disconnected = new Promise<string>((resolve) => flooder.once('disconnect', resolve));

    const poster = await socketFrom(freshIp(), (await makeUser()).token);
    const viewer = await socketFrom(freshIp());
    await ok(viewer, 'thread:join', { threadId: 'flood' });
    const seen = record(viewer, 'thread:event');

    const acks: Promise<{ ok: boolean; error?: { code: string } }>[] = [];
    const started = Date.now();
    for (let i = 0; i < 1_000; i++) {
      acks.push(
        emit(flooder, 'thread:join', { threadId: `flood-${i % 5}` }, 3_000).catch(() => ({ ok: false, error: { code: 'no-ack' } })),
      );
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 100 - Math.min(99, (Date.now() - started) % 100)));
    }
    for (let i = 0; i < 3; i++)
      await ok(poster, 'comment:post', { threadId: 'flood', body: `still flowing ${i}`, clientId: `flood-post-${i}-00` });

    const results = await Promise.all(acks);
    const accepted = results.filter((r) => r.ok).length;
    const limited = results.filter((r) => r.error?.code === 'rate_limited').length;
    // Joins still in flight when the flooder is cut off get no ack at all (more of them on a
    // Cluster, where a join takes longer): what matters is that the limiter let the burst through.
    const notRefused = results.filter((r) => r.error?.code !== 'rate_limited').length;
    expect(notRefused, 'the burst (40, at least 20 within the second) is let through').toBeGreaterThanOrEqual(20);
    expect(accepted, 'no more than the burst and a second of refill is accepted').toBeLessThanOrEqual(80);
    expect(limited).toBeGreaterThan(100);
    expect(await disconnected).toBe('io server disconnect');
    expect(closing.seen[0]).toMatchObject({ code: 'rate_limited' });
    await seen.waitFor(3);
    expect((await request(server.url).get('/healthz')).status).toBe(200);
    poster.disconnect();
    viewer.disconnect();
  });

  it('lets a socket that stays under the rate carry on', async () => {
    const s = await socketFrom(freshIp());
    for (let i = 0; i < 30; i++) {
      expect((await emit(s, 'thread:join', { threadId: 'calm' })).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 55));
    }
    expect(s.connected).toBe(true);
    s.disconnect();
  });
});

describe('connection caps', () => {
  it('allows at most 3 open connections per user, across the service', async () => {
    const u = await makeUser();
    const open = [await socketFrom(freshIp(), u.token), await socketFrom(freshIp(), u.token), await socketFrom(freshIp(), u.token)];
    const refused = await connectError(server.url, { token: u.token });
    expect(refused.data).toMatchObject({ code: 'rate_limited', details: { scope: 'connections_per_user', limit: 3 } });
    open[0]!.disconnect();
    await eventually(async () => {
      const s = await socketFrom(freshIp(), u.token);
      s.disconnect();
    });
    for (const s of open) s.disconnect();
  });

  it('allows at most 4 open connections per client IP', async () => {
    const ip = freshIp();
    const open = await Promise.all(Array.from({ length: 4 }, () => socketFrom(ip)));
    expect(await attempt(ip)).toMatchObject({ code: 'rate_limited', details: { scope: 'connections_per_ip' } });
    for (const s of open) s.disconnect();
  });

  it('gives the IP its slot back when the user cap refuses (both caps are tried at once)', async () => {
    const u = await makeUser();
    const open = [await socketFrom(freshIp(), u.token), await socketFrom(freshIp(), u.token), await socketFrom(freshIp(), u.token)];
    const ip = freshIp();
    for (let i = 0; i < 2; i++) expect(await attempt(ip, u.token)).toMatchObject({ details: { scope: 'connections_per_user' } });
    // All 4 of the IP's slots are still free: the refused attempts held none.
    const fromIp = await Promise.all(Array.from({ length: 4 }, () => socketFrom(ip)));
    for (const s of [...open, ...fromIp]) s.disconnect();
  });

  it('limits new connections per IP per minute', async () => {
    const ip = freshIp();
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      const result = await attempt(ip);
      codes.push(typeof result === 'object' ? result.code : result);
    }
    expect(codes.slice(0, 6)).toEqual(Array(6).fill('connected'));
    expect(codes[6]).toBe('rate_limited');
  });
});

/** One connection attempt to /moderation from `ip`: the refusal's data, or the open socket. */
const modAttempt = (ip: string, token: string) =>
  moderationAttempt(server.url, token, { extraHeaders: { 'x-forwarded-for': ip } }).then(({ socket, error }) => ({
    socket,
    refusal: error,
  }));

describe('the /moderation namespace has the limits of the default one', () => {
  it('limits new /moderation connections per IP per minute', async () => {
    const ip = freshIp();
    const mod = await makeUser({ role: 'moderator' });
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { refusal, socket } = await modAttempt(ip, mod.token);
      socket?.disconnect();
      outcomes.push(socket ? 'connected' : `${refusal?.code}:${refusal?.details?.scope}`);
    }
    expect(outcomes, 'seven /moderation handshakes from one IP, budget 6 a minute').toEqual([
      ...Array(6).fill('connected'),
      'rate_limited:handshake',
    ]);
  });

  it('counts /moderation sockets against the same per-user cap as reader sockets', async () => {
    const mod = await makeUser({ role: 'moderator' });
    const readers = [await socketFrom(freshIp(), mod.token), await socketFrom(freshIp(), mod.token)];
    const first = await modAttempt(freshIp(), mod.token);
    expect(first.socket, 'the third socket of the user (on /moderation)').toBeDefined();
    const fourth = await modAttempt(freshIp(), mod.token);
    fourth.socket?.disconnect();
    expect(fourth.refusal, 'the fourth socket of the user (on /moderation)').toMatchObject({
      code: 'rate_limited',
      details: { scope: 'connections_per_user', limit: 3 },
    });
    first.socket!.disconnect();
    await eventually(async () => {
      const again = await modAttempt(freshIp(), mod.token);
      expect(again.socket, 'a slot is given back when a /moderation socket closes').toBeDefined();
      again.socket!.disconnect();
    });
    for (const s of readers) s.disconnect();
  });

  it('refuses /moderation events over the socket rate and disconnects a flooding moderator socket', async () => {
    const mod = await makeUser({ role: 'moderator' });
    const { socket } = await modAttempt(freshIp(), mod.token);
    const closing = new Promise<{ code: string }>((resolve) => socket!.once('connection:closing' as never, resolve as never));
    const disconnected = new Promise<string>((resolve) => socket!.once('disconnect', resolve));
    const acks = Array.from({ length: 400 }, () =>
      (socket!.timeout(3_000).emitWithAck('mod:subscribe', {}) as Promise<{ ok: boolean; error?: { code: string } }>).catch(() => ({
        ok: false,
        error: { code: 'no-ack' },
      })),
    );
    const results = await Promise.all(acks);
    const accepted = results.filter((r) => r.ok).length;
    const limited = results.filter((r) => r.error?.code === 'rate_limited').length;
    expect(
      { accepted: accepted <= 80, limited: limited >= 200 },
      `${accepted} accepted, ${limited} rate_limited of 400 sent at once`,
    ).toEqual({ accepted: true, limited: true });
    expect(await disconnected).toBe('io server disconnect');
    expect(await closing).toMatchObject({ code: 'rate_limited' });
  });
});

describe('origin allow-list', () => {
  it('refuses a browser handshake from another origin, accepts listed origins and clients without an Origin', async () => {
    // Engine.IO's own refusal, by transport: any other failure (a crash, a limit, a bad URL) is not
    // the allow-list speaking, so the answer is checked, not only that the connection failed.
    const polling = await request(server.url)
      .get('/socket.io/?EIO=4&transport=polling')
      .set({ Origin: 'https://evil.example', 'x-forwarded-for': freshIp() });
    expect({ status: polling.status, body: polling.body }, 'long-polling handshake from another origin').toEqual({
      status: 403,
      body: { code: 4, message: 'origin not allowed' },
    });
    const upgrade = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, {
        headers: { Origin: 'https://evil.example', 'x-forwarded-for': freshIp() },
      });
      ws.on('open', () => (ws.close(), resolve({ body: 'opened' })));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      ws.on('error', reject);
    });
    expect(upgrade, 'WebSocket handshake from another origin').toEqual({ status: 400, body: 'origin not allowed' });
    const good = await socketFrom(freshIp(), undefined, ORIGIN);
    good.disconnect();
    const app = await socketFrom(freshIp());
    app.disconnect();
  });

  it('answers REST CORS for listed origins and refuses other origins', async () => {
    const allowed = await request(server.url).get('/api/threads/cors').set('Origin', ORIGIN);
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(ORIGIN);
    const refused = await request(server.url).get('/api/threads/cors').set('Origin', 'https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('malformed traffic never takes the process down', () => {
  it('answers wrong types, extra fields, huge strings, deep nesting and binary attachments with invalid_payload', async () => {
    const u = await makeUser();
    const s = await socketFrom(freshIp(), u.token);
    let deep: unknown = 'x';
    for (let i = 0; i < 2_000; i++) deep = [deep];
    const payloads: unknown[] = [
      { threadId: 42, body: 'x', clientId: 'malformed-01' },
      { threadId: 'm', body: 'x', clientId: 'malformed-02', author: 'admin' },
      { threadId: 'm', body: 'x'.repeat(30_000), clientId: 'malformed-03' },
      { threadId: 'm', body: deep, clientId: 'malformed-04' },
      { threadId: 'm', body: Buffer.from([0xde, 0xad, 0xbe, 0xef]), clientId: 'malformed-05' },
      Buffer.from('not json at all'),
      null,
      [],
    ];
    for (const payload of payloads) {
      const res = await emit(s, 'comment:post', payload as never);
      expect(res).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(s.connected).toBe(true);
    expect((await request(server.url).get('/api/threads/m')).body.thread.offset).toBe(0);
    s.disconnect();
  });

  it('closes raw connections that send non-protocol frames, and stays up', async () => {
    for (const frame of [Buffer.from([0xff, 0x00, 0x13, 0x37]), '42["comment:post",{"unterminated', '9999', 'x'.repeat(70_000)]) {
      const shown =
        typeof frame === 'string'
          ? JSON.stringify(frame.length > 40 ? `${frame.slice(0, 40)}… (${frame.length} chars)` : frame)
          : `binary ${frame.toString('hex')}`;
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, {
        headers: { 'x-forwarded-for': freshIp() },
      });
      const closed = new Promise<'closed'>((resolve) => ws.once('close', () => resolve('closed')));
      /** The first text message starting with `prefix`, or 'closed' if the connection closes first. */
      const next = (prefix: string) =>
        Promise.race([
          closed,
          new Promise<string>((resolve) => {
            const onMessage = (data: WebSocket.RawData) => {
              const text = rawText(data);
              if (!text.startsWith(prefix)) return;
              ws.off('message', onMessage);
              resolve(text);
            };
            ws.on('message', onMessage);
          }),
        ]);
      try {
        await new Promise((resolve) => ws.once('open', resolve));
        // Join the namespace and wait for its CONNECT ack: a packet sent before the ack is
        // refused whatever it holds, which would let this test pass on any frame.
        const connectAck = next('40');
        ws.send('40');
        expect(await connectAck, `namespace CONNECT before sending ${shown}`).toMatch(/^40\{/);
        // The same connection answers a well-formed event, so a close below is the frame's doing.
        const ack = next('431');
        ws.send('421["thread:join",{"threadId":"raw-frames"}]');
        expect(await ack, `ack for a valid thread:join before sending ${shown}`).toMatch(/^431\[\{"ok":true/);

        let timer: NodeJS.Timeout | undefined;
        const stillOpen = new Promise<'open'>((resolve) => (timer = setTimeout(() => resolve('open'), 2_000)));
        ws.send(frame);
        const outcome = await Promise.race([closed, stillOpen]);
        clearTimeout(timer);
        expect(outcome, `the server should close the connection after the frame ${shown} within 2s`).toBe('closed');
      } finally {
        ws.terminate();
      }
    }
    expect((await request(server.url).get('/healthz')).status).toBe(200);
    const s = await socketFrom(freshIp());
    expect((await emit(s, 'thread:join', { threadId: 'still-fine' })).ok).toBe(true);
    s.disconnect();
  });

  it('answers a deeply nested HTTP body with 400, not a crash', async () => {
    const u = await makeUser();
    const body = `{"body":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const res = await request(server.url)
      .post('/api/threads/deep/comments')
      .set('Authorization', `Bearer ${u.token}`)
      .set('X-Forwarded-For', freshIp())
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
  });
});
