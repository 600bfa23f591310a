/**
 * The posting floor: the least a server can do per comment and still store,
 * log and publish it the way Threadline does. Socket.IO 4.8 with the same
 * sharded Redis adapter; `comment:post` runs ONE Lua script (HSET the comment,
 * XADD it to the thread's log, SPUBLISH the adapter's broadcast message to the
 * thread's room channel) and acks. No auth, limits, moderation, mentions,
 * idempotency or jobs. `thread:join` joins the room. Same event names and
 * payloads as Threadline, so the same load generator drives both.
 *
 *   node --import tsx bench/baselines/floor-server.ts <port> <redisUrl>
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { envelope } from '../../server/store/adapter-protocol.ts';

const port = Number(process.argv[2]);
const redisUrl = process.argv[3];
if (!redisUrl) throw new Error('usage: floor-server.ts <port> <redisUrl>');
const CHANNELS = 'floor#socket.io';

// KEYS[1] comment hash, KEYS[2] thread log (one thread's hash tag); ARGV: id, threadId, body, channel, prefix, suffix.
const POST = `
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'threadId', ARGV[2], 'body', ARGV[3])
local entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', 1000, '*', 'type', 'comment.created', 'id', ARGV[1])
local event = '{"threadId":' .. cjson.encode(ARGV[2]) .. ',"type":"comment.created","entry":"' .. entry ..
  '","comment":{"id":' .. cjson.encode(ARGV[1]) .. ',"body":' .. cjson.encode(ARGV[3]) .. '}}'
redis.call('SPUBLISH', ARGV[4], ARGV[5] .. event .. ARGV[6])
return entry`;

const redis = new Redis(redisUrl, { enableAutoPipelining: true });
redis.defineCommand('floorPost', { numberOfKeys: 2, lua: POST });
const call = redis as unknown as { floorPost(...args: string[]): Promise<string> };

const http = createServer((req, res) => {
  if (req.url !== undefined && !req.url.startsWith('/socket.io')) res.writeHead(404).end();
});
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
io.adapter(createShardedAdapter(new Redis(redisUrl), new Redis(redisUrl), { channelPrefix: CHANNELS, subscriptionMode: 'dynamic' }));

const room = (threadId: string) => `thread:{t:${threadId}}`;
const envelopes = new Map<string, ReturnType<typeof envelope>>();
const envelopeOf = (threadId: string) => {
  let e = envelopes.get(threadId);
  if (!e) envelopes.set(threadId, (e = envelope(CHANNELS, room(threadId), 'thread:event')));
  return e;
};
io.on('connection', (socket) => {
  socket.on('thread:join', async (p: { threadId: string }, ack?: (r: unknown) => void) => {
    await socket.join(room(p.threadId));
    ack?.({ ok: true });
  });
  socket.on('comment:post', (p: { threadId: string; body: string }, ack?: (r: unknown) => void) => {
    const id = randomBytes(8).toString('hex');
    const { channel, prefix, suffix } = envelopeOf(p.threadId);
    const t = `floor:{t:${p.threadId}}`;
    call.floorPost(`${t}:c:${id}`, `${t}:log`, id, p.threadId, p.body, channel, prefix, suffix).then(
      (entry) => ack?.({ ok: true, id, entry }),
      (err: unknown) => ack?.({ ok: false, error: { code: 'unavailable', message: String(err) } }),
    );
  });
});
http.listen(port, '127.0.0.1', () => process.send?.('ready'));
