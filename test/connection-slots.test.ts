/** Connection slots held in Redis are given back on every way a client can leave. */
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, it } from 'vitest';
import { connectSocket, makeUser } from './support/clients.ts';
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
  // Writes (the admission scripts) wait while Redis is paused; the clients give up meanwhile.
  await redis.client.client('PAUSE', 600, 'WRITE');
  for (let i = 0; i < 3; i++) {
    const s = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: u.token } });
    setTimeout(() => s.disconnect(), 200);
  }
  await new Promise((r) => setTimeout(r, 1000));
  // Refused (rate_limited) while the three slots are still held.
  await eventually(async () => {
    (await connectSocket(server.url, u.token)).disconnect();
  }, 3_000);
});
