import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  localStorageAdapter,
  type Comment,
  type OutboxStorage,
  type ThreadlineClient,
  type ThreadlineError,
  type WebStorageLike,
} from '../client/sdk/index.ts';
import { freePort } from '../server/bootstrap/redis.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

let redis: TestRedis;
let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const clients: ThreadlineClient[] = [];
let n = 0;
const newThread = () => `outbox-${++n}`;

/** What a browser's localStorage is, for one device. */
class DeviceStorage implements WebStorageLike {
  readonly values = new Map<string, string>();
  getItem = (key: string) => this.values.get(key) ?? null;
  setItem = (key: string, value: string) => void this.values.set(key, value);
  removeItem = (key: string) => void this.values.delete(key);
}

/** Shaped like React Native's AsyncStorage: every call answers later. */
const asyncAdapter = (device: DeviceStorage): OutboxStorage => ({
  get: async (key) => device.getItem(key),
  set: async (key, value) => device.setItem(key, value),
  remove: async (key) => device.removeItem(key),
});

function client(opts: Parameters<typeof connect>[0]): ThreadlineClient {
  const c = connect(opts);
  clients.push(c);
  return c;
}

const bodies = async (threadId: string) =>
  ((await request(server.url).get(`/api/threads/${threadId}/comments`).expect(200)).body as { comments: Comment[] }).comments.map(
    (c) => c.body,
  );

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  alice = await makeUser({ name: 'Alice' });
  bob = await makeUser({ name: 'Bob' });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(() => stopServerAndRedis(server, redis));

describe('offline outbox storage', () => {
  it('a post written while the server is unreachable is sent once by the next run on the same device', async () => {
    const threadId = newThread();
    const device = new DeviceStorage();
    const offline = client({
      url: `http://127.0.0.1:${await freePort()}`,
      token: alice.token,
      outbox: { storage: localStorageAdapter(device) },
    });
    const first = offline.post({ threadId, body: 'written offline' });
    first.catch(() => undefined); // rejected by close() below; the stored copy is what matters
    await eventually(() =>
      expect([...device.values.keys()], 'the unsent post is stored under its author').toEqual([`threadline:outbox:${alice.id}`]),
    );
    offline.close();
    await expect(first, 'closing tells the waiting caller').rejects.toMatchObject({ code: 'unavailable' });
    expect(device.values.size, 'closing keeps the stored post for the next run').toBe(1);

    // Another user on the same device never sends alice's post.
    const other = client({ url: server.url, token: bob.token, outbox: { storage: asyncAdapter(device) } });
    await eventually(() => expect(other.session?.id).toBe(bob.id));
    expect(other.pendingPosts, "bob's client restores none of alice's posts").toEqual([]);

    const restored: (Comment | ThreadlineError)[] = [];
    // Two restarts at once (two tabs): the server still stores the post once.
    for (let i = 0; i < 2; i++) {
      client({
        url: server.url,
        token: alice.token,
        outbox: { storage: asyncAdapter(device) },
        onRestoredPost: (_p, outcome) => restored.push(outcome),
      });
    }
    await eventually(() => expect(restored.length, 'both restarted clients report the restored post').toBe(2));
    expect(restored.map((r) => (r as Comment).body)).toEqual(['written offline', 'written offline']);
    expect(await bodies(threadId), 'the thread has the offline post exactly once').toEqual(['written offline']);
    await eventually(() => expect([...device.values.keys()], 'a sent post leaves the storage').toEqual([]));
  });

  it('drops stored posts older than maxAgeMs instead of sending them late', async () => {
    const threadId = newThread();
    const device = new DeviceStorage();
    const stale = {
      payload: { threadId, body: 'too old', clientId: 'stale-post-0001' },
      queuedAt: new Date(Date.now() - 3_600_000).toISOString(),
    };
    device.setItem(`threadline:outbox:${alice.id}`, JSON.stringify([stale]));
    const c = client({ url: server.url, token: alice.token, outbox: { storage: localStorageAdapter(device), maxAgeMs: 60_000 } });
    await eventually(() => expect(c.session?.id).toBe(alice.id));
    await c.post({ threadId, body: 'fresh' });
    expect(await bodies(threadId), 'only the fresh post reached the thread').toEqual(['fresh']);
    await eventually(() => expect(device.values.size, 'the stale post is gone from storage').toBe(0));
  });

  it('discardPendingPosts (sign-out) removes unsent posts from storage', async () => {
    const device = new DeviceStorage();
    const offline = client({
      url: `http://127.0.0.1:${await freePort()}`,
      token: alice.token,
      outbox: { storage: localStorageAdapter(device) },
    });
    const post = offline.post({ threadId: newThread(), body: 'never mind' });
    await eventually(() => expect(device.values.size).toBe(1));
    await offline.discardPendingPosts();
    await expect(post).rejects.toMatchObject({ code: 'unavailable' });
    expect(device.values.size, 'nothing of the discarded post stays on the device').toBe(0);
  });
});
