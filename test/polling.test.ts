import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { ThreadEvent } from '../contract/index.ts';
import { Balancer } from './support/balancer.ts';
import { connectSocket, makeUser, ok, record, type ClientSocket, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServers, startServer, stopServersAndRedis, type TestServer } from './support/server.ts';

/**
 * Clients that start with (or only speak) HTTP long-polling: socket.io-client
 * with its defaults, and the Swift, Kotlin and Python clients. Three instances
 * share one Redis; the balancer is sticky on the Engine.IO session as nginx's
 * ip_hash is on the address.
 */
let redis: TestRedis;
let servers: TestServer[] = [];
let balancer: Balancer;
let alice: TestUser;
let bob: TestUser;
const open: ClientSocket[] = [];
let threadN = 0;
const newThread = () => `poll-${++threadN}`;

beforeAll(async () => {
  ({ redis, servers } = await startRedisAndServers(3, { REDIS_PREFIX: 'poll:' }));
  balancer = new Balancer(() => servers.map((s) => s.port), { xForwardedFor: '$remote_addr' });
  await balancer.start();
  alice = await makeUser({ name: 'Alice' });
  bob = await makeUser({ name: 'Bob' });
}, 30_000);

afterEach(() => {
  for (const s of open.splice(0)) s.disconnect();
});

afterAll(async () => {
  await balancer?.stop();
  await stopServersAndRedis(servers, redis);
});

/** A socket that speaks only long-polling; a refusal fails the test with the client's own reason (e.g. "xhr poll error"). */
async function pollingSocket(url: string, user: TestUser, reconnection = false): Promise<ClientSocket> {
  const s = await connectSocket(url, user.token, { transports: ['polling'], reconnection }).catch((err: Error) => {
    throw new Error(`a polling-only client could not connect to ${url}: ${err.message}`);
  });
  open.push(s);
  return s;
}

async function websocket(url: string, user: TestUser): Promise<ClientSocket> {
  const s = await connectSocket(url, user.token);
  open.push(s);
  return s;
}

function transportOf(s: ClientSocket): string {
  return s.io.engine.transport.name;
}

/**
 * Joins, receives another client's post live, posts one the other receives,
 * loses its connection while two more are posted, and gets them back by
 * re-joining with `since` after socket.io-client reconnects it (still polling).
 */
async function joinPostReceiveRecover(pollerUrl: string, otherUrl: (poller: ClientSocket) => string): Promise<void> {
  const threadId = newThread();
  const poller = await pollingSocket(pollerUrl, alice, true);
  const other = await websocket(otherUrl(poller), bob);
  const polled = record(poller, 'thread:event');
  const pushed = record(other, 'thread:event');
  await ok(poller, 'thread:join', { threadId });
  await ok(other, 'thread:join', { threadId });

  await ok(other, 'comment:post', { threadId, body: 'from a websocket', clientId: `ws-${threadId}-1` });
  await polled.waitFor(1);
  expect(polled.seen[0]?.comment.body, 'the polling client receives the other client’s comment live').toBe('from a websocket');

  await ok(poller, 'comment:post', { threadId, body: 'from a poller', clientId: `lp-${threadId}-1` });
  await pushed.waitFor(2);
  expect(pushed.seen.map((e) => e.comment.body)).toContain('from a poller');
  await polled.waitFor(2);
  expect(transportOf(poller), 'transports: [polling] never upgrades').toBe('polling');

  const last = polled.seen.at(-1)!;
  const sessionAgain = new Promise<void>((resolve) => poller.once('session', () => resolve()));
  poller.io.engine.close();
  expect(poller.connected, 'closing the engine disconnects the socket').toBe(false);
  for (const n of [2, 3]) await ok(other, 'comment:post', { threadId, body: `missed ${n}`, clientId: `ws-${threadId}-${n}` });
  await sessionAgain;
  expect(transportOf(poller)).toBe('polling');

  const res = await ok(poller, 'thread:join', { threadId, since: { offset: last.offset, epoch: last.epoch } });
  expect(res.recovered, 'a re-join with since after a polling disconnect recovers').toBe(true);
  expect(res.missed.map((e: ThreadEvent) => e.comment.body)).toEqual(['missed 2', 'missed 3']);
}

describe('one instance', () => {
  it('a default socket.io-client connects over long-polling, then upgrades to websocket', async () => {
    const s = connect(servers[0]!.url, { forceNew: true, reconnection: false, auth: { token: alice.token } }) as ClientSocket;
    open.push(s);
    // The engine exists from connect() on; its first transport is the one the handshake used.
    let first = '';
    s.io.once('open', () => (first = transportOf(s)));
    const upgraded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no upgrade to websocket within 5 s')), 5_000);
      s.io.engine.once('upgrade', () => (clearTimeout(timer), resolve()));
      s.once(
        'connect_error',
        (err) => (clearTimeout(timer), reject(new Error(`a default-transport client could not connect: ${err.message}`))),
      );
    });
    await upgraded;
    expect(first, 'socket.io-client starts with long-polling').toBe('polling');
    expect(transportOf(s), 'and upgrades to websocket').toBe('websocket');
    if (!s.connected) await new Promise((resolve) => s.once('connect', () => resolve(undefined)));
    const threadId = newThread();
    expect((await ok(s, 'thread:join', { threadId })).offset).toBe(0);
  });

  it('a polling-only client joins, posts, receives events live and recovers missed ones with since', async () => {
    await joinPostReceiveRecover(servers[0]!.url, () => servers[0]!.url);
  });
});

describe('three instances behind a balancer sticky on the session', () => {
  it('a polling-only client joins, posts, receives events from another instance and recovers', async () => {
    await joinPostReceiveRecover(balancer.url, (poller) => {
      const backend = balancer.backendOf(poller.io.engine.id);
      expect(backend, 'the balancer pinned the polling session to an instance').toBeDefined();
      // The other client is on another instance, so events cross Redis to reach the poller and back.
      return servers.find((s) => s.port !== backend)!.url;
    });
  });

  it('a default client through the balancer upgrades to websocket on the instance that holds its session', async () => {
    const s = connect(balancer.url, { forceNew: true, reconnection: false, auth: { token: bob.token } }) as ClientSocket;
    open.push(s);
    await new Promise<void>((resolve, reject) => {
      s.io.engine.once('upgrade', () => resolve());
      s.once('connect_error', (err) =>
        reject(new Error(`a default-transport client could not connect through the balancer: ${err.message}`)),
      );
      setTimeout(() => reject(new Error('no upgrade to websocket within 5 s')), 5_000);
    });
    expect(transportOf(s)).toBe('websocket');
    expect((await ok(s, 'thread:join', { threadId: newThread() })).offset).toBe(0);
  });

  it('without stickiness the sessions break: why the balancer must pin them (README, Load balancing)', async () => {
    const roundRobin = new Balancer(() => servers.map((s) => s.port), { xForwardedFor: '$remote_addr', sticky: false });
    await roundRobin.start();
    try {
      const s = connect(roundRobin.url, { transports: ['polling'], forceNew: true, reconnection: false, auth: { token: bob.token } });
      const outcome = await new Promise<string>((resolve) => {
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (err) => resolve(`refused: ${err.message}`));
      });
      s.disconnect();
      expect(outcome, 'a polling session spread over three instances meets one that does not know it').toMatch(/^refused/);
    } finally {
      await roundRobin.stop();
    }
  });
});

describe('the handshake over long-polling', () => {
  it('counts the per-IP handshake budget by X-Forwarded-For from a trusted proxy, as over websocket', async () => {
    const strict = await startServer(redis.url, { TRUSTED_PROXIES: '127.0.0.1', HANDSHAKES_PER_IP_PER_MINUTE: '2' });
    try {
      const handshake = (xff: string) =>
        new Promise<string>((resolve) => {
          const s = connect(strict.url, {
            transports: ['polling'],
            forceNew: true,
            reconnection: false,
            extraHeaders: { 'x-forwarded-for': xff },
          });
          s.once('connect', () => (s.disconnect(), resolve('connected')));
          s.once(
            'connect_error',
            (err) => (
              s.disconnect(),
              resolve(`refused:${(err as { data?: { details?: { scope?: string } } }).data?.details?.scope ?? err.message}`)
            ),
          );
        });
      const reader = [];
      for (let i = 0; i < 3; i++) reader.push(await handshake('203.0.113.7'));
      expect(reader, "the third polling handshake from one reader's address is over its budget").toEqual([
        'connected',
        'connected',
        'refused:handshake',
      ]);
      expect(await handshake('203.0.113.8'), 'another reader behind the same proxy has its own budget').toBe('connected');
    } finally {
      await strict.close();
    }
  });
});
