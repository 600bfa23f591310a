import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSocket, makeUser, ok } from '../support/clients.ts';
import { Cluster, type Instance } from '../support/cluster.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { rssKb, settledRssKb } from '../support/rss.ts';
import { closeViewers, expectEveryViewerHolds, watchThread } from '../support/viewers.ts';
import { eventually } from '../support/wait.ts';

/**
 * Peers that hold server resources without doing their part, against a real `npm start` process:
 * WebSocket readers that stop reading (the server's queue for them grows with every event) and
 * slowloris HTTP requests (headers trickled in, never finished). Other viewers must still get
 * every comment; the stalled sockets must be closed by the server and its RSS must stay bounded.
 */
const MAX_BUFFERED = 256 * 1024;
const SLOW_READERS = 10;
const SLOWLORIS = 50;
let redis: TestRedis;
let cluster: Cluster;
let server: Instance;

beforeAll(async () => {
  redis = await startRedis();
  cluster = new Cluster(redis.url, 'slow:', {
    SOCKET_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
    RECOVERY_MAX_BYTES: '10000', // else the buffer limit is raised to twice this

    HTTP_HEADERS_TIMEOUT_MS: '2000',
    SCREEN_COPIES_PER_USER: '100000',
  });
  await cluster.start(1);
  server = cluster.instances[0]!;
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
});

/** A raw Engine.IO WebSocket that joins `threadId` and then stops reading its TCP socket. */
async function stalledReader(threadId: string): Promise<{ ws: WebSocket; closed: () => boolean }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  let closed = false;
  ws.on('close', () => (closed = true));
  ws.on('error', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send('40');
      else if (text.startsWith('42["session"')) ws.send(`420${JSON.stringify(['thread:join', { threadId }])}`);
      else if (text.startsWith('430')) resolve();
    });
    ws.once('error', reject);
  });
  ws.pause(); // stops reading the TCP socket: the kernel buffers fill, then the server's queue grows
  return { ws, closed: () => closed };
}

/** An HTTP request whose headers arrive a line at a time and never end. */
function slowloris(): { socket: TcpSocket; answer: () => string; closed: () => boolean; stop: () => void } {
  const socket = tcpConnect(server.port, '127.0.0.1');
  let answer = '';
  let closed = false;
  socket.on('data', (d) => (answer += d.toString()));
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  const drip = setInterval(() => !closed && socket.write('X-Slow: 1\r\n'), 300);
  return { socket, answer: () => answer, closed: () => closed, stop: () => (clearInterval(drip), socket.destroy()) };
}

async function postMany(token: string, threadId: string, count: number): Promise<string[]> {
  const poster = await connectSocket(server.url, token);
  const filler = 'x'.repeat(4_800);
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, count - i) }, (_, j) =>
          ok(poster, 'comment:post', { threadId, body: `comment ${i + j} ${filler}`, clientId: `slow-${threadId}-${i + j}` }),
        ),
      );
      ids.push(...batch.map((b) => b.comment.id));
    }
  } finally {
    poster.disconnect();
  }
  return ids;
}

describe('slow readers and slowloris against a real server process', () => {
  it(`closes ${SLOW_READERS} WebSocket readers that stop reading, while other viewers get every comment`, async () => {
    const threadId = 'slow-readers';
    const author = await makeUser({ handle: 'slow_author' });
    const viewers = await watchThread([server.url], threadId, 3);
    const stalled = await Promise.all(Array.from({ length: SLOW_READERS }, () => stalledReader(threadId)));
    try {
      const rssBefore = await settledRssKb(server.process.pid!);
      // 1,000 comments of ~4.8 kB: ~5 MB for each reader, far over MAX_BUFFERED and the kernel's buffers.
      const ids = await postMany(author.token, threadId, 1_000);
      await expectEveryViewerHolds(viewers, ids, 30_000);
      const rssPeak = rssKb(server.process.pid!);
      for (const s of stalled) s.ws.resume(); // reading again shows whether the server hung up
      await eventually(
        () => expect(stalled.filter((s) => !s.closed()).length, 'stalled readers the server left open').toBe(0),
        10_000,
        100,
      );
      const rssAfter = await settledRssKb(server.process.pid!);
      console.info(`slow readers: RSS ${rssBefore} kB before, ${rssPeak} kB right after 1,000 posts, ${rssAfter} kB settled`);
      // Generous: the 1,000 comments themselves (history, Redis replies) account for ~50 MB of it.
      expect(rssAfter - rssBefore, 'server RSS growth in kB (bounded: the stalled queues were dropped)').toBeLessThan(128 * 1024);
    } finally {
      closeViewers(viewers);
      for (const s of stalled) s.ws.terminate();
    }
  });

  it(`answers ${SLOWLORIS} never-finished HTTP requests 408 and closes them, while viewers still get comments`, async () => {
    const threadId = 'slowloris';
    const author = await makeUser({ handle: 'loris_author' });
    const viewers = await watchThread([server.url], threadId, 3);
    const rssBefore = await settledRssKb(server.process.pid!);
    const lorises = Array.from({ length: SLOWLORIS }, () => slowloris());
    try {
      const ids = await postMany(author.token, threadId, 50);
      await expectEveryViewerHolds(viewers, ids, 15_000);
      await eventually(
        () => expect(lorises.filter((l) => !l.closed()).length, 'slowloris connections the server left open').toBe(0),
        15_000,
        100,
      );
      expect(lorises.filter((l) => !l.answer().startsWith('HTTP/1.1 408')).length, 'closed without a 408 answer').toBe(0);
      const rssAfter = await settledRssKb(server.process.pid!);
      console.info(`slowloris: RSS ${rssBefore} kB before, ${rssAfter} kB after`);
      expect(rssAfter - rssBefore, 'server RSS growth in kB').toBeLessThan(64 * 1024);
    } finally {
      closeViewers(viewers);
      for (const l of lorises) l.stop();
    }
  });
});
