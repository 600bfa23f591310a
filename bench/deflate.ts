/**
 * What WebSocket per-message deflate (SOCKET_PER_MESSAGE_DEFLATE) costs and
 * saves, on loopback: bytes the server writes per thread:event carrying a
 * typical comment, and server CPU per 1,000 deliveries, off and on.
 *
 * The server is Threadline's own Socket.IO setup (createSocketServer) with an
 * in-memory adapter, in this process; the viewers are socket.io-client
 * sockets (which offer permessage-deflate, as browsers do) in a child
 * process, so their decompression is not counted as the server's CPU.
 *
 *   npx tsx bench/deflate.ts [--viewers 200] [--events 50]
 */
import { fork } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { parseArgs } from 'node:util';
import type { ThreadEvent } from '../contract/index.ts';
import { createSocketServer } from '../server/realtime/server.ts';

const { values } = parseArgs({
  options: { viewers: { type: 'string', default: '200' }, events: { type: 'string', default: '50' }, child: { type: 'string' } },
});
const VIEWERS = Number(values.viewers);
const EVENTS = Number(values.events);
const ROOM = 'thread:{t:bench}';

const WORDS = (
  'the summit communiqué commits both sides to phased steps but says nothing about verification and the last two rounds ' +
  'broke down on exactly that point until there is an inspection timetable I would not call this a breakthrough sanctions ' +
  'relief depends on whether Pyongyang allows monitors back which it refused in 2019 so I am sceptical though hopeful'
).split(' ');

/** Different text in every comment (a fixed PRNG), so deflate cannot just repeat the previous message. */
function sentence(seed: number, words: number): string {
  let x = seed * 2_654_435_761;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    out.push(WORDS[x % WORDS.length]!);
  }
  return out.join(' ');
}

/** A comment as readers get it: about 300 characters of text, an author, a mention. */
function typicalEvent(offset: number): ThreadEvent {
  return {
    threadId: 'world-2026-12-01-korea-summit',
    offset,
    epoch: 'm3x9k2a1',
    type: 'comment.created',
    comment: {
      id: `01JE${String(offset).padStart(22, '0')}`,
      threadId: 'world-2026-12-01-korea-summit',
      parentId: '01JE5Q0Z8W7Y6X5V4T3S2R1Q0P',
      author: { id: 'reader-48213', handle: 'itsonlyrocknroll', name: 'Margaret Okonkwo-Smith' },
      body: `@hanna_l ${sentence(offset, 50)}.`,
      mentions: [{ userId: 'reader-11873', handle: 'hanna_l' }],
      status: 'visible',
      createdAt: '2026-12-01T21:14:03.512Z',
      editedAt: null,
      featured: false,
      offset,
    },
  };
}

async function child(url: string): Promise<void> {
  const { io } = await import('socket.io-client');
  let received = 0;
  const sockets = Array.from({ length: VIEWERS }, () => io(url, { transports: ['websocket'], forceNew: true, reconnection: false }));
  for (const s of sockets) s.on('thread:event' as never, () => void (++received === VIEWERS * EVENTS && process.send!('done')));
  await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('connect', () => resolve(null)))));
  process.send!('ready');
  process.on('message', (m) => {
    if (m === 'close') {
      for (const s of sockets) s.disconnect();
      process.exit(0);
    }
  });
}

interface Result {
  setting: string;
  bytesPerEvent: number;
  cpuMsPer1000: number;
}

async function measure(setting: string, deflate: boolean): Promise<Result> {
  const http: HttpServer = createServer();
  const io = createSocketServer(http, undefined, [], { perMessageDeflate: deflate });
  io.on('connection', (s) => void s.join(ROOM));
  const sockets = new Set<NetSocket>();
  http.on('connection', (s: NetSocket) => sockets.add(s));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const viewers = fork(new URL(import.meta.url).pathname, ['--child', url, '--viewers', String(VIEWERS), '--events', String(EVENTS)], {
    execArgv: ['--import', 'tsx'],
  });
  const next = () => new Promise<unknown>((resolve) => viewers.once('message', resolve));
  await next(); // ready
  const written = () => [...sockets].reduce((sum, s) => sum + s.bytesWritten, 0);
  const bytesBefore = written();
  const cpuBefore = process.cpuUsage();
  const done = next();
  for (let i = 1; i <= EVENTS; i++) io.to(ROOM).emit('thread:event', typicalEvent(i));
  await done;
  const cpu = process.cpuUsage(cpuBefore);
  const bytes = written() - bytesBefore;
  viewers.send('close');
  await new Promise((resolve) => viewers.once('exit', resolve));
  await io.close();
  const deliveries = VIEWERS * EVENTS;
  return {
    setting,
    bytesPerEvent: Math.round(bytes / deliveries),
    cpuMsPer1000: Number((((cpu.user + cpu.system) / 1000 / deliveries) * 1000).toFixed(1)),
  };
}

if (values.child) {
  await child(values.child);
} else {
  const json = JSON.stringify(typicalEvent(1)).length;
  console.log(`thread:event with a typical comment: ${json} bytes of JSON; ${VIEWERS} viewers x ${EVENTS} events, loopback`);
  const results: Result[] = [];
  // Twice each, alternating, so a warm-up or a neighbour's burst shows as a spread.
  for (let round = 0; round < 2; round++) {
    results.push(await measure('off', false));
    results.push(await measure('on', true));
  }
  console.table(results);
}
