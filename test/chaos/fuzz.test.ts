import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEvents, ERROR_CODES, modClientEvents } from '../../contract/index.ts';
import { connectSocket, makeUser, ok, type ClientSocket } from '../support/clients.ts';
import { Cluster, type Instance } from '../support/cluster.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

/**
 * Generated garbage against a real `npm start` process: payloads for every client event (both
 * namespaces) and malformed Engine.IO / Socket.IO frames over WebSocket and long-polling. The
 * process must never exit, every request with an ack must get `{ok: true}` or a typed error
 * (`{ok: false, error: {code}}` with a code from the contract), and it must serve normally after.
 */
const SEED = 1616;
const RUNS_PER_EVENT = 715; // 14 events: 10,010 requests
const RAW_FRAMES_PER_TRANSPORT = 5_000;
let redis: TestRedis;
let cluster: Cluster;
let server: Instance;

beforeAll(async () => {
  redis = await startRedis();
  cluster = new Cluster(redis.url, 'fuzz:');
  await cluster.start(1);
  server = cluster.instances[0]!;
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
});

const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.process.pid}/status`, 'utf8'))?.[1]);
const alive = () => server.process.exitCode === null && server.process.signalCode === null;

/** Anything at all, and objects shaped like the event's request with arbitrary values. */
const payloads = (keys: string[]) =>
  fc.oneof(
    fc.anything({ maxDepth: 4, withBigInt: false }),
    fc.record(Object.fromEntries(keys.map((k) => [k, fc.anything({ maxDepth: 3 })])), { requiredKeys: [] }),
    // (Packets over 64 KB close the connection by design: SOCKET_LIMITS.maxPayloadBytes; not fuzzed here.)
    fc.constantFrom(null, undefined, '', 0, [], 'x'.repeat(10_000)),
  );

type AckLike = { ok?: unknown; error?: { code?: unknown; message?: unknown } };
const typed = (ack: AckLike) =>
  ack.ok === true || (ack.ok === false && ERROR_CODES.includes(ack.error?.code as never) && typeof ack.error?.message === 'string');

async function fuzzEvents(socket: Socket | ClientSocket, events: Record<string, { request: { shape?: object } }>) {
  const untyped: unknown[] = [];
  let answered = 0;
  for (const [event, { request }] of Object.entries(events)) {
    const keys = Object.keys(request.shape ?? {});
    await fc.assert(
      fc.asyncProperty(payloads(keys), async (payload) => {
        if (!socket.connected) socket.connect();
        const ack = (await (socket as Socket).timeout(10_000).emitWithAck(event, payload)) as AckLike;
        answered++;
        if (!typed(ack)) untyped.push({ event, payload, ack });
      }),
      { numRuns: RUNS_PER_EVENT, seed: SEED },
    );
  }
  return { answered, untyped };
}

/** Malformed frames as Engine.IO packets: message packets carrying broken Socket.IO packets, unknown types, binary. */
const frames = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 200 }).map((s) => `4${s}`),
  fc.string({ maxLength: 200 }).map((s) => `42${s}`),
  fc.json().map((j) => `42${j}`),
  fc.json().map((j) => `421${j}`),
  fc.string({ maxLength: 50 }).map((s) => `451-${s}`),
  fc.constantFrom('4', '42', '42[', '42["comment:post"', '43', '44', '45', '46', '49', '40/nope,', '41', '6', '5', '2', '3', '9'),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
);

async function rawWebSocket(sendAll: string[] | Buffer[]): Promise<number> {
  let closes = 0;
  let i = 0;
  while (i < sendAll.length) {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    await new Promise<void>((resolve) => {
      ws.on('error', () => resolve());
      ws.on('close', () => {
        closes++;
        resolve();
      });
      ws.on('message', (data: Buffer) => {
        if (data.toString().startsWith('0')) {
          ws.send('40');
          const burst = sendAll.slice(i, i + 100);
          i += burst.length;
          for (const f of burst) ws.send(f);
          ws.close();
        }
      });
    });
  }
  return closes;
}

async function rawPolling(sendAll: (string | Buffer)[]): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let sid = '';
  for (const frame of sendAll) {
    if (!sid) {
      const open = await (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`)).text();
      sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
      await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: '40' });
    }
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST',
      body: typeof frame === 'string' ? frame : new Uint8Array(frame),
    });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status !== 200) sid = ''; // the session was closed: open another
  }
  return statuses;
}

describe('fuzzing a real server process', () => {
  it('answers generated payloads for every client event with ok or a typed error', async () => {
    const user = await makeUser({ handle: 'fuzz_user' });
    const moderator = await makeUser({ handle: 'fuzz_mod', role: 'moderator' });
    const reader = await connectSocket(server.url, user.token, { reconnection: true });
    const mod = connect(`${server.url}/moderation`, { transports: ['websocket'], forceNew: true, auth: { token: moderator.token } });
    try {
      const rssBefore = rssKb();
      const onReader = await fuzzEvents(reader, clientEvents);
      await new Promise<void>((resolve) => (mod.connected ? resolve() : mod.once('connect', () => resolve())));
      const onMod = await fuzzEvents(mod, modClientEvents);
      console.info(`fuzz: ${onReader.answered + onMod.answered} acks; server RSS ${rssBefore} kB before, ${rssKb()} kB after`);
      expect([...onReader.untyped, ...onMod.untyped].slice(0, 5), 'acks that are neither ok nor a typed error').toEqual([]);
      expect(alive(), 'the server process is still running').toBe(true);
    } finally {
      reader.disconnect();
      mod.disconnect();
    }
  });

  it(`survives ${RAW_FRAMES_PER_TRANSPORT} malformed frames over WebSocket and as many over long-polling, then serves normally`, async () => {
    const rssBefore = rssKb();
    const generated = fc.sample(frames, { numRuns: RAW_FRAMES_PER_TRANSPORT * 2, seed: SEED });
    const closes = await rawWebSocket(generated.slice(0, RAW_FRAMES_PER_TRANSPORT) as string[]);
    const statuses = await rawPolling(generated.slice(RAW_FRAMES_PER_TRANSPORT));
    console.info(
      `raw frames: ${closes} websocket sessions, polling statuses ${JSON.stringify(statuses)}; RSS ${rssBefore} kB -> ${rssKb()} kB`,
    );
    expect(alive(), 'the server process is still running').toBe(true);
    expect(
      Object.keys(statuses).filter((s) => Number(s) >= 500),
      'polling answers with a 5xx status',
    ).toEqual([]);
    const user = await makeUser({ handle: 'fuzz_after' });
    const socket = await connectSocket(server.url, user.token);
    try {
      const posted = await ok(socket, 'comment:post', { threadId: 'after-fuzz', body: 'still here', clientId: 'after-fuzz-0001' });
      expect(posted.comment.body).toBe('still here');
    } finally {
      socket.disconnect();
    }
  });
});
