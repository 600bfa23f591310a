import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ThreadlineClient } from '../client/sdk/index.ts';
import { serverEvents, type ThreadEvent } from '../contract/index.ts';
import { connectSocket, makeUser, ok, type ClientSocket, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

/*
 * Live events that reach a room faster than FANOUT_BATCH_MS go out as one
 * `thread:batch` frame per socket. The tick is set long here (500 ms) so that a
 * burst posted at once is certain to fall within it on a loaded machine; the
 * behaviour under test does not depend on its length.
 */
const BATCH_MS = '500';
const BURST = 25;

let redis: TestRedis;
let server: TestServer;
let alice: TestUser;
let writer: ClientSocket;
const sockets: ClientSocket[] = [];
const clients: ThreadlineClient[] = [];
let n = 0;
const newThread = () => `batch-${++n}`;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer({ FANOUT_BATCH_MS: BATCH_MS }));
  alice = await makeUser({ name: 'Alice' });
  writer = await connectSocket(server.url, alice.token);
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  writer.disconnect();
  await stopServerAndRedis(server, redis);
});

/** Posts `count` comments at once (no waiting between them) and resolves when all are acked. */
async function burst(threadId: string, count: number, label: string): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      ok(writer, 'comment:post', { threadId, body: `${label} ${i}`, clientId: `${label}-${threadId}-${i}-xxxxxxxx` }),
    ),
  );
}

/** Every frame a raw socket receives for the thread, in arrival order. */
function frames(socket: ClientSocket): { event: string; payload: unknown }[] {
  const seen: { event: string; payload: unknown }[] = [];
  socket.onAny((event: string, payload: unknown) => {
    if (event === 'thread:event' || event === 'thread:batch') seen.push({ event, payload });
  });
  return seen;
}

const offsetsOf = (seen: { event: string; payload: unknown }[]) =>
  seen.flatMap(({ event, payload }) =>
    event === 'thread:batch' ? (payload as { events: ThreadEvent[] }).events.map((e) => e.offset) : [(payload as ThreadEvent).offset],
  );

describe('thread:batch', () => {
  it('sends a burst to a plain socket.io-client as thread:batch frames of the documented form, in offset order', async () => {
    const threadId = newThread();
    const reader = await connectSocket(server.url);
    sockets.push(reader);
    const seen = frames(reader);
    await ok(reader, 'thread:join', { threadId });
    await burst(threadId, BURST, 'raw');
    await eventually(() => expect(offsetsOf(seen), 'every offset once, in order').toEqual(Array.from({ length: BURST }, (_, i) => i + 1)));

    const batches = seen.filter((f) => f.event === 'thread:batch');
    expect(batches.length, 'a burst faster than the tick arrives in batch frames').toBeGreaterThan(0);
    expect(seen.length, 'fewer frames than events').toBeLessThan(BURST);
    for (const { payload } of batches) {
      const batch = serverEvents['thread:batch'].parse(payload);
      expect(batch.threadId).toBe(threadId);
      expect(batch.events.length, 'a batch carries more than one event').toBeGreaterThan(1);
      for (const e of batch.events) {
        expect(serverEvents['thread:event'].parse(e)).toEqual(e);
        expect(e.threadId).toBe(threadId);
      }
    }
  });

  it('gives an SDK client every event of a burst once, in order, through batch frames', async () => {
    const threadId = newThread();
    const sdk = connect({ url: server.url });
    clients.push(sdk);
    let batchFrames = 0;
    sdk.socket.on('thread:batch', () => batchFrames++);
    const applied: number[] = [];
    const view = await sdk.joinThread(threadId, { onEvent: (e) => applied.push(e.offset) });
    await burst(threadId, BURST, 'sdk');
    await eventually(() => expect(view.comments).toHaveLength(BURST));
    expect(applied).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
    expect(batchFrames, 'the SDK received batch frames').toBeGreaterThan(0);
  });

  it('recovers exactly after a cut between bursts: every offset once, in order', async () => {
    const threadId = newThread();
    const sdk = connect({ url: server.url });
    clients.push(sdk);
    let batchFrames = 0;
    sdk.socket.on('thread:batch', () => batchFrames++);
    const applied: number[] = [];
    const view = await sdk.joinThread(threadId, { onEvent: (e) => applied.push(e.offset) });
    await burst(threadId, BURST, 'before');
    await eventually(() => expect(view.comments).toHaveLength(BURST));
    sdk.socket.io.engine.close(); // a network drop: the client reconnects by itself and re-joins with `since`
    await burst(threadId, BURST, 'during');
    await eventually(() => expect(sdk.connected).toBe(true));
    await burst(threadId, BURST, 'after');
    await eventually(() => expect(view.comments).toHaveLength(3 * BURST));
    expect(applied).toEqual(Array.from({ length: 3 * BURST }, (_, i) => i + 1));
    expect(batchFrames, 'the bursts came as batch frames').toBeGreaterThan(0);
  });
});
