import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rooms } from '../../contract/index.ts';
import { loadConfig } from '../../server/config.ts';
import { roomChannel } from '../../server/store/adapter-protocol.ts';
import { createKeys } from '../../server/store/keys.ts';
import { connectSocket, makeUser, ok, record, type ClientSocket } from '../support/clients.ts';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { eventually } from '../support/wait.ts';

/** Three server instances on a real 3-master Redis Cluster, one key prefix. */
let cluster: TestRedisCluster;
const servers: TestServer[] = [];
const sockets: ClientSocket[] = [];
const PREFIX = 'rc:';

beforeAll(async () => {
  cluster = await startRedisCluster();
  for (let i = 0; i < 3; i++) {
    servers.push(
      await startServer(`redis://127.0.0.1:${cluster.nodes[0]!.port}`, { REDIS_PREFIX: PREFIX, REDIS_CLUSTER_NODES: cluster.nodesEnv }),
    );
  }
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  for (const s of servers) await s.close();
  await cluster?.stop();
});

/** Subscribers of a shard channel on each master (port -> count). */
async function shardSubscribers(channel: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const master of cluster.client.nodes('master')) {
    const [, count] = (await master.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
    out.set(Number(master.options.port), Number(count));
  }
  return out;
}

describe('REDIS_CLUSTER_NODES', () => {
  it('is parsed into the nodes every connection starts from, and a malformed list is refused', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.7:7001' });
    expect(config.redis.clusterNodes).toEqual([
      { host: 'redis-1', port: 6379 },
      { host: '10.0.0.7', port: 7001 },
    ]);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1' })).toThrow(/REDIS_CLUSTER_NODES/);
  });
});

describe('sharded fan-out on a Redis Cluster', () => {
  it("subscribes only the servers with viewers of a thread, on the master that owns the thread's slot, and delivers across servers", async () => {
    const threadId = 'hot-thread-1';
    const channel = roomChannel(createKeys(PREFIX).adapterChannels, rooms.thread(threadId));
    const owner = await cluster.masterOf(createKeys(PREFIX).thread.meta(threadId));
    expect(await cluster.masterOf(channel), 'the live channel shares the slot of the thread keys').toBe(owner);

    const viewer = await connectSocket(servers[0]!.url);
    sockets.push(viewer);
    await ok(viewer, 'thread:join', { threadId });
    const events = record(viewer, 'thread:event');

    // One subscriber (servers[0]) on the owner, none anywhere else: servers 1 and 2 hear nothing of this thread.
    const counts = await shardSubscribers(channel);
    expect(Object.fromEntries(counts), `SHARDNUMSUB of ${channel} per master (owner ${owner})`).toEqual(
      Object.fromEntries([...counts.keys()].map((port) => [port, port === owner ? 1 : 0])),
    );

    const author = await makeUser();
    const posted = await request(servers[2]!.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${author.token}`)
      .send({ body: 'across the cluster' });
    expect(posted.status).toBe(201);
    await events.waitFor(1);
    expect(events.seen[0]).toMatchObject({ type: 'comment.created', comment: { id: posted.body.comment.id } });

    viewer.disconnect();
    await eventually(async () => expect([...(await shardSubscribers(channel)).values()].reduce((a, b) => a + b, 0)).toBe(0));
  });

  it('keeps a thread whose room name is 20 characters (a 9-character id) on its own channel, which its write script may publish to', async () => {
    const threadId = 'article-9';
    const viewer = await connectSocket(servers[1]!.url);
    sockets.push(viewer);
    await ok(viewer, 'thread:join', { threadId });
    const events = record(viewer, 'thread:event');
    const author = await makeUser();
    const posted = await request(servers[0]!.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${author.token}`)
      .send({ body: 'a short thread id' });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    await events.waitFor(1);
  });
});
