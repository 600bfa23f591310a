import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ThreadEventSchema, type ThreadEvent } from '../contract/index.ts';
import { connectSocket, makeUser, ok, record, request as emit, type ClientSocket, type TestUser } from './support/clients.ts';
import { flushAll, type TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let mod: TestUser;
let threadN = 0;
const newThread = () => `live-${++threadN}`;
const open: ClientSocket[] = [];

async function socketFor(user?: TestUser): Promise<ClientSocket> {
  const s = await connectSocket(server.url, user?.token);
  open.push(s);
  return s;
}

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  alice = await makeUser({ name: 'Alice' });
  bob = await makeUser({ name: 'Bob' });
  mod = await makeUser({ role: 'moderator' });
});

afterEach(() => {
  for (const s of open.splice(0)) s.disconnect();
});

afterAll(() => stopServerAndRedis(server, redis));

describe('thread:join', () => {
  it('joins a brand-new thread as empty: offset 0, no epoch', async () => {
    const s = await socketFor();
    const res = await ok(s, 'thread:join', { threadId: newThread() });
    expect(res).toMatchObject({ offset: 0, epoch: '', recovered: false, missed: [] });
    expect(res.thread).toMatchObject({ commentCount: 0, offset: 0, title: null });
  });

  it('rejects bad payloads with invalid_payload and stays connected', async () => {
    const s = await socketFor();
    for (const payload of [
      {},
      { threadId: 'no spaces' },
      { threadId: 'a', extra: 1 },
      { threadId: 'a', since: { offset: -1, epoch: 'x' } },
      'just a string',
      null,
    ]) {
      const res = await emit(s, 'thread:join', payload as never);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('invalid_payload');
    }
    expect(s.connected).toBe(true);
    expect((await emit(s, 'thread:join', { threadId: newThread() })).ok).toBe(true);
  });

  it('limits a connection to 50 threads', async () => {
    const s = await socketFor();
    for (let i = 0; i < 50; i++) await ok(s, 'thread:join', { threadId: `many-${i}` });
    const res = await emit(s, 'thread:join', { threadId: 'many-50' });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('forbidden');
    // Re-joining one it already follows is fine, and leaving frees a slot.
    expect((await emit(s, 'thread:join', { threadId: 'many-3' })).ok).toBe(true);
    await ok(s, 'thread:leave', { threadId: 'many-3' });
    expect((await emit(s, 'thread:join', { threadId: 'many-50' })).ok).toBe(true);
  });
});

describe('malformed traffic', () => {
  it('ignores events sent without an ack callback', async () => {
    const s = await socketFor(alice);
    (s as unknown as { emit(e: string, p: unknown): void }).emit('comment:post', {
      threadId: 'no-ack',
      body: 'x',
      clientId: 'no-ack-00001',
    });
    (s as unknown as { emit(e: string): void }).emit('thread:join');
    expect((await emit(s, 'thread:join', { threadId: 'no-ack' })).ok).toBe(true);
    const page = await request(server.url).get('/api/threads/no-ack/comments');
    expect(page.body.comments).toEqual([]);
  });

  it('answers unknown events with nothing and keeps the connection', async () => {
    const s = await socketFor();
    (s as unknown as { emit(e: string, p: unknown): void }).emit('does:not:exist', { a: 1 });
    expect((await emit(s, 'thread:join', { threadId: newThread() })).ok).toBe(true);
  });

  it('disconnects a socket that sends more than 64 KB in one packet, and keeps serving others', async () => {
    const s = await socketFor(alice);
    const closed = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    s.emit('comment:post', { threadId: 'big', body: 'x'.repeat(70_000), clientId: 'too-big-00001' }, () => {});
    expect(await closed).toBe('transport close');
    const other = await socketFor(bob);
    expect((await emit(other, 'thread:join', { threadId: 'big' })).ok).toBe(true);
    expect((await request(server.url).get('/api/threads/big')).body.thread.offset).toBe(0);
  });
});

describe('live events', () => {
  it('sends created, updated and removed to every viewer of the thread, the author’s other tab included, in offset order', async () => {
    const threadId = newThread();
    const otherThread = newThread();
    const authorTab1 = await socketFor(alice);
    const authorTab2 = await socketFor(alice);
    const reader = await socketFor();
    const elsewhere = await socketFor(bob);
    for (const s of [authorTab1, authorTab2, reader]) await ok(s, 'thread:join', { threadId });
    await ok(elsewhere, 'thread:join', { threadId: otherThread });
    const logs = [authorTab1, authorTab2, reader, elsewhere].map((s) => record(s, 'thread:event'));

    const { comment } = await ok(authorTab1, 'comment:post', { threadId, body: 'hello', clientId: 'sock-post-0001' });
    await ok(authorTab1, 'comment:edit', { commentId: comment.id, body: 'hello, edited' });
    await ok(authorTab1, 'comment:delete', { commentId: comment.id });

    for (const log of logs.slice(0, 3)) {
      await log.waitFor(3);
      const events = log.seen.map((e) => ThreadEventSchema.parse(e));
      expect(events.map((e) => [e.type, e.offset])).toEqual([
        ['comment.created', 1],
        ['comment.updated', 2],
        ['comment.removed', 3],
      ]);
      expect(events[1]!.comment.body).toBe('hello, edited');
      expect(events[2]!.comment).toMatchObject({ status: 'deleted', body: '' });
      expect(new Set(events.map((e) => e.epoch)).size).toBe(1);
    }
    // Barrier: a comment in the other thread. The server hears both threads on one Redis
    // subscription, in publish order, so this arrives after anything from the first thread would.
    await ok(elsewhere, 'comment:post', { threadId: otherThread, body: 'marker', clientId: 'sock-post-mark' });
    await logs[3]!.waitFor(1);
    expect(
      logs[3]!.seen.map((e) => [e.threadId, e.comment.body]),
      'a viewer of another thread gets only that thread’s marker comment',
    ).toEqual([[otherThread, 'marker']]);
  });

  it('broadcasts comments posted over HTTP to socket viewers', async () => {
    const threadId = newThread();
    const reader = await socketFor();
    await ok(reader, 'thread:join', { threadId });
    const log = record(reader, 'thread:event');
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'via REST' })
      .expect(201);
    await log.waitFor(1);
    expect(log.seen[0]).toMatchObject({ type: 'comment.created', offset: 1, comment: { body: 'via REST' } });
  });

  it('stops sending after thread:leave', async () => {
    const threadId = newThread();
    const reader = await socketFor();
    await ok(reader, 'thread:join', { threadId });
    await ok(reader, 'thread:leave', { threadId });
    const log = record(reader, 'thread:event');
    const poster = await socketFor(bob);
    await ok(poster, 'comment:post', { threadId, body: 'anyone?', clientId: 'leave-test-01' });
    // Barrier: join again and take the next comment, which comes the same way after the first.
    await ok(reader, 'thread:join', { threadId });
    await ok(poster, 'comment:post', { threadId, body: 'back again', clientId: 'leave-test-02' });
    await log.waitFor(1);
    expect(
      log.seen.map((e) => [e.offset, e.comment.body]),
      'after thread:leave no event for the comment posted then; after joining again, the next one',
    ).toEqual([[2, 'back again']]);
  });

  it('answers a repeated clientId with the original comment and broadcasts it once', async () => {
    const threadId = newThread();
    const reader = await socketFor();
    await ok(reader, 'thread:join', { threadId });
    const log = record(reader, 'thread:event');
    const s = await socketFor(alice);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => ok(s, 'comment:post', { threadId, body: 'retry me', clientId: 'sock-dup-0001' })),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.comment.id)).size).toBe(1);
    // Barrier: one more comment in the thread; any repeat broadcast would come before it.
    const marker = await ok(s, 'comment:post', { threadId, body: 'marker', clientId: 'sock-dup-mark' });
    await log.waitFor(2);
    expect(
      log.seen.map((e) => [e.type, e.comment.id]),
      'the repeated clientId is broadcast once, then the marker',
    ).toEqual([
      ['comment.created', results[0]!.comment.id],
      ['comment.created', marker.comment.id],
    ]);
  });

  it('lets a moderator remove a comment live (status removed)', async () => {
    const threadId = newThread();
    const reader = await socketFor();
    await ok(reader, 'thread:join', { threadId });
    const log = record(reader, 'thread:event');
    const author = await socketFor(alice);
    const { comment } = await ok(author, 'comment:post', { threadId, body: 'rude words', clientId: 'mod-remove-01' });
    const moderator = await socketFor(mod);
    const res = await ok(moderator, 'comment:delete', { commentId: comment.id });
    expect(res.comment.status).toBe('removed');
    await log.waitFor(2);
    expect(log.seen[1]).toMatchObject({ type: 'comment.removed', comment: { status: 'removed', body: '' } });
  });
});

describe('anonymous readers', () => {
  it('may join and read but not post, edit or delete', async () => {
    const threadId = newThread();
    const s = await socketFor();
    await ok(s, 'thread:join', { threadId });
    const posted = await emit(s, 'comment:post', { threadId, body: 'hi', clientId: 'anon-post-01' });
    expect(posted).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const edited = await emit(s, 'comment:edit', { commentId: `${threadId}~AAAAAAAAAAAA`, body: 'x' });
    expect(edited).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const deleted = await emit(s, 'comment:delete', { commentId: `${threadId}~AAAAAAAAAAAA` });
    expect(deleted).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });
});

describe('recovery with since', () => {
  async function seed(threadId: string, n: number): Promise<ThreadEvent[]> {
    const s = await socketFor(alice);
    await ok(s, 'thread:join', { threadId });
    const log = record(s, 'thread:event');
    for (let i = 0; i < n; i++) await ok(s, 'comment:post', { threadId, body: `m${i}`, clientId: `seed-${threadId}-${i}` });
    await log.waitFor(n);
    return log.seen;
  }

  it('returns exactly the missed events in order when the epoch matches', async () => {
    const threadId = newThread();
    const events = await seed(threadId, 6);
    const epoch = events[0]!.epoch;
    const s = await socketFor();
    const res = await ok(s, 'thread:join', { threadId, since: { offset: 2, epoch } });
    expect(res.recovered).toBe(true);
    expect(res.offset).toBe(6);
    expect(res.missed.map((e) => e.offset)).toEqual([3, 4, 5, 6]);
    expect(res.missed).toEqual(events.slice(2));
  });

  it('recovers everything for a client that has seen nothing (offset 0), and nothing when up to date', async () => {
    const threadId = newThread();
    const events = await seed(threadId, 3);
    const s = await socketFor();
    const fromZero = await ok(s, 'thread:join', { threadId, since: { offset: 0, epoch: '' } });
    expect(fromZero).toMatchObject({ recovered: true });
    expect(fromZero.missed.map((e) => e.offset)).toEqual([1, 2, 3]);
    const upToDate = await ok(s, 'thread:join', { threadId, since: { offset: 3, epoch: events[0]!.epoch } });
    expect(upToDate).toMatchObject({ recovered: true, missed: [] });
  });

  it('says recovered:false on another epoch or an offset from the future', async () => {
    const threadId = newThread();
    const events = await seed(threadId, 2);
    const s = await socketFor();
    expect(await ok(s, 'thread:join', { threadId, since: { offset: 1, epoch: 'not-the-epoch' } })).toMatchObject({
      recovered: false,
      missed: [],
      offset: 2,
    });
    expect(await ok(s, 'thread:join', { threadId, since: { offset: 9, epoch: events[0]!.epoch } })).toMatchObject({
      recovered: false,
      missed: [],
    });
  });

  it('says recovered:false rather than give a partial list once the log was trimmed', async () => {
    const threadId = newThread();
    const events = await seed(threadId, 3);
    // Simulate retention having dropped offsets 1-2.
    await redis.client.xtrim(`${server.prefix}{t:${threadId}}:log`, 'MAXLEN', 1);
    const s = await socketFor();
    expect(await ok(s, 'thread:join', { threadId, since: { offset: 1, epoch: events[0]!.epoch } })).toMatchObject({
      recovered: false,
      missed: [],
    });
    expect(await ok(s, 'thread:join', { threadId, since: { offset: 2, epoch: events[0]!.epoch } })).toMatchObject({
      recovered: true,
    });
  });

  it('gives a new epoch after the thread’s data was lost, so old positions do not recover', async () => {
    const threadId = newThread();
    const before = await seed(threadId, 2);
    await flushAll(redis.client);
    const after = await seed(threadId, 1);
    expect(after[0]!.epoch).not.toBe(before[0]!.epoch);
    const s = await socketFor();
    expect(await ok(s, 'thread:join', { threadId, since: { offset: 1, epoch: before[0]!.epoch } })).toMatchObject({
      recovered: false,
    });
  });
});
