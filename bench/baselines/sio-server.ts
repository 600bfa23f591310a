/**
 * Baselines (b) and (c): plain Socket.IO 4.8 emitting to a room, alone or
 * with the same sharded Redis adapter Threadline uses. Events: `join` (room)
 * and `post` (payload, broadcast to the room as `thread:event`), both acked.
 * GET /memory reports RSS and heap.
 *
 *   node --import tsx bench/baselines/sio-server.ts <port> [redisUrl]
 */
import { createServer } from 'node:http';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const port = Number(process.argv[2]);
const redisUrl = process.argv[3];
const http = createServer((req, res) => {
  if (req.url === '/memory') {
    const m = process.memoryUsage();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, clients: io.engine.clientsCount }));
  } else if (req.url !== undefined && !req.url.startsWith('/socket.io')) res.writeHead(404).end();
});
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
if (redisUrl) {
  const pub = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  io.adapter(createShardedAdapter(pub, sub, { channelPrefix: 'baseline#socket.io', subscriptionMode: 'dynamic' }));
}
io.on('connection', (socket) => {
  socket.on('join', async (room: string, ack?: () => void) => {
    await socket.join(room);
    ack?.();
  });
  socket.on('post', (msg: { room: string; payload: unknown }, ack?: (r: unknown) => void) => {
    io.to(msg.room).emit('thread:event', msg.payload);
    ack?.({ ok: true });
  });
});
http.listen(port, '127.0.0.1', () => process.send?.('ready'));
