/** Connection slots held in Redis are given back on every way a client can leave. */
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectError, connectSocket, makeUser, request } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer({ MAX_CONNECTIONS_PER_USER: '3' }));
});
afterAll(() => stopServerAndRedis(server, redis));

it('gives back the slots of clients that hung up while being admitted', async () => {
  const u = await makeUser();
  // Barrier: Redis tells us (keyspace notifications, this file's own Redis) each time
  // an admission script adds a slot to the user's set.
  const slots = server.app.deps.store.keys.openSockets.user(u.id);
  await redis.client.config('SET', 'notify-keyspace-events', 'Kz');
  const watcher = redis.client.duplicate();
  try {
    let added = 0;
    watcher.on('message', (_channel: string, op: string) => {
      if (op === 'zadd') added++;
    });
    await watcher.subscribe(`__keyspace@0__:${slots}`);
    // Writes (the admission scripts) wait while Redis is paused; the clients give up meanwhile.
    await redis.client.client('PAUSE', 600, 'WRITE');
    for (let i = 0; i < 3; i++) {
      const s = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: u.token } });
      setTimeout(() => s.disconnect(), 200);
    }
    // All three were admitted (after the pause) before this client tries: it cannot slip in first.
    await eventually(() => expect(added, 'slots taken by the clients that hung up').toBe(3), 5_000);
    // Refused (rate_limited) while the three slots are still held; their TTL is a minute.
    await eventually(async () => {
      (await connectSocket(server.url, u.token)).disconnect();
    }, 3_000);
  } finally {
    watcher.disconnect();
    await redis.client.config('SET', 'notify-keyspace-events', '');
  }
});

it('counts a socket that signs in after connecting (auth:refresh) against its user, and gives that slot back', async () => {
  const u = await makeUser();
  const signedIn = await Promise.all([connectSocket(server.url, u.token), connectSocket(server.url, u.token)]);
  const late = await connectSocket(server.url);
  try {
    expect((await request(late, 'auth:refresh', { token: u.token })).ok, 'an anonymous socket may sign in while under the cap').toBe(true);
    const refused = await connectError(server.url, { token: u.token });
    expect(refused.data?.code, 'the socket that signed in late should hold the third of three slots').toBe('rate_limited');
    late.disconnect();
    await eventually(async () => {
      (await connectSocket(server.url, u.token)).disconnect();
    }, 3_000);
  } finally {
    for (const s of [...signedIn, late]) s.disconnect();
  }
});

it('refuses auth:refresh on an anonymous socket when the user is already at the cap', async () => {
  const u = await makeUser();
  const full = await Promise.all([1, 2, 3].map(() => connectSocket(server.url, u.token)));
  const anonymous = await connectSocket(server.url);
  try {
    const res = await request(anonymous, 'auth:refresh', { token: u.token });
    expect(res, 'signing in must not take a fourth slot').toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  } finally {
    for (const s of [...full, anonymous]) s.disconnect();
  }
});
