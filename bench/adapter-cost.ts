/**
 * What one broadcast costs with each official Socket.IO Redis adapter:
 * classic pub/sub, sharded pub/sub (Redis 7 SPUBLISH) and streams.
 *
 * Three Socket.IO servers share one redis-server. One viewer of room R sits
 * on server A; server C serves only other rooms; server B emits N messages
 * to R. We count Redis commands and output bytes per broadcast (INFO deltas)
 * and how many of the messages each server had to receive and decode.
 *
 *   npx tsx bench/adapter-cost.ts [--messages 5000]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAdapter as createPubSubAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { startRedis } from '../test/support/redis.ts';
import { connectSocket } from './lib/sockets.ts';

type Kind = 'pubsub' | 'sharded' | 'streams';

interface Node {
  io: Server;
  port: number;
  received: number;
  clients: Redis[];
}

const { values } = parseArgs({ options: { messages: { type: 'string', default: '5000' } } });
const N = Number(values.messages);
const ROOM = 'thread:{t:bench}';
const PAYLOAD = { threadId: 'bench', offset: 1, epoch: 'e', type: 'comment.created', comment: { body: 'x'.repeat(300) } };

async function makeNode(kind: Kind, url: string): Promise<Node> {
  const pub = new Redis(url);
  const sub = new Redis(url);
  const node: Node = { io: new Server(), port: 0, received: 0, clients: [pub, sub] };
  if (kind === 'pubsub') {
    node.io.adapter(createPubSubAdapter(pub, sub));
    sub.on('pmessageBuffer', () => node.received++);
    sub.on('messageBuffer', () => node.received++);
  } else if (kind === 'sharded') {
    node.io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }));
    sub.on('smessageBuffer', () => node.received++);
  } else {
    node.io.adapter(createStreamsAdapter(pub));
    const adapter = node.io.of('/').adapter as unknown as { onMessage: (...a: unknown[]) => unknown };
    const original = adapter.onMessage.bind(adapter);
    adapter.onMessage = (...a: unknown[]) => {
      node.received++;
      return original(...a);
    };
  }
  const http = createServer();
  node.io.attach(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  node.port = (http.address() as AddressInfo).port;
  return node;
}

async function viewer(port: number, room: string): Promise<Socket> {
  const s = await connectSocket(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true });
  await new Promise<void>((r) => s.emit('join', room, r));
  return s;
}

function info(raw: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of raw.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) m.set(line.slice(0, at), line.slice(at + 1));
  }
  return m;
}

async function redisCounters(r: Redis) {
  const stats = info(await r.info('stats'));
  const commands = info(await r.info('commandstats'));
  let calls = 0;
  const byCommand: Record<string, number> = {};
  for (const [k, v] of commands) {
    const c = Number(/calls=(\d+)/.exec(v)?.[1] ?? 0);
    calls += c;
    byCommand[k.replace('cmdstat_', '')] = c;
  }
  return { calls, byCommand, outBytes: Number(stats.get('total_net_output_bytes')), inBytes: Number(stats.get('total_net_input_bytes')) };
}

async function measure(kind: Kind) {
  const redis = await startRedis();
  const admin = new Redis(redis.url);
  const nodes = await Promise.all([0, 1, 2].map(() => makeNode(kind, redis.url)));
  for (const n of nodes) {
    n.io.on('connection', (s) =>
      s.on('join', async (room: string, ack: () => void) => {
        await s.join(room);
        ack();
      }),
    );
  }
  const [a, b, c] = nodes as [Node, Node, Node];
  const client = await viewer(a.port, ROOM);
  const elsewhere = await viewer(c.port, 'thread:{t:other}');
  await new Promise((r) => setTimeout(r, 300)); // let subscriptions settle
  for (const n of nodes) n.received = 0;

  let got = 0;
  const done = new Promise<void>((resolve) => client.on('thread:event', () => ++got === N && resolve()));
  const before = await redisCounters(admin);
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    b.io.to(ROOM).emit('thread:event', PAYLOAD);
    if (i % 200 === 199) await new Promise((r) => setImmediate(r));
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await new Promise((r) => setTimeout(r, 200));
  const after = await redisCounters(admin);
  const commandDelta: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byCommand)) {
    const d = v - (before.byCommand[k] ?? 0);
    if (d > 0 && k !== 'info') commandDelta[k] = d;
  }
  const result = {
    adapter: kind,
    broadcasts: N,
    seconds: Number(seconds.toFixed(3)),
    broadcastsPerSecond: Math.round(N / seconds),
    redisCommandsPerBroadcast: Number(((after.calls - before.calls - 2) / N).toFixed(3)),
    redisCommands: commandDelta,
    redisOutputBytesPerBroadcast: Math.round((after.outBytes - before.outBytes) / N),
    redisInputBytesPerBroadcast: Math.round((after.inBytes - before.inBytes) / N),
    receivedPerBroadcast: {
      viewerServer: Number((a.received / N).toFixed(2)),
      publisherServer: Number((b.received / N).toFixed(2)),
      uninvolvedServer: Number((c.received / N).toFixed(2)),
    },
  };
  client.disconnect();
  elsewhere.disconnect();
  for (const n of nodes) {
    void n.io.close();
    for (const r of n.clients) r.disconnect();
  }
  admin.disconnect();
  await redis.stop();
  return result;
}

const results = [];
for (const kind of ['pubsub', 'sharded', 'streams'] as const) results.push(await measure(kind));
console.table(
  results.map((r) => ({
    adapter: r.adapter,
    'broadcasts/s': r.broadcastsPerSecond,
    'redis cmds/broadcast': r.redisCommandsPerBroadcast,
    'redis out B/broadcast': r.redisOutputBytesPerBroadcast,
    'recv @viewer node': r.receivedPerBroadcast.viewerServer,
    'recv @publisher node': r.receivedPerBroadcast.publisherServer,
    'recv @uninvolved node': r.receivedPerBroadcast.uninvolvedServer,
  })),
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/adapter-cost.json', import.meta.url),
  JSON.stringify({ machine: { cores: (await import('node:os')).cpus().length }, results }, null, 2),
);
process.exit(0);
