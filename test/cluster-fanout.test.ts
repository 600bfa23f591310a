import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rooms, type ThreadEvent } from '../contract/index.ts';
import { createKeys } from '../server/store/keys.ts';
import { RoomEmitter } from '../server/store/room-emitter.ts';
import { processNotify } from '../workers/notify/processor.ts';
import { connectSocket, makeUser, ok, record, request as emit, type ClientSocket, type TestUser } from './support/clients.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';
import { SlowLink } from './support/slow-link.ts';
import { eventually } from './support/wait.ts';

/** Three instances in this process, one Redis, one key prefix: one service. */
let redis: TestRedis;
let servers: TestServer[];
const PREFIX = 'fan:';
const sockets: ClientSocket[] = [];
let users: TestUser[];

/** Emits like a worker: a process with no Socket.IO server, publishing the adapter's messages itself. */
const workerEmitter = () => new RoomEmitter(redis.client, createKeys(PREFIX).adapterChannels);

async function socketOn(i: number, user?: TestUser): Promise<ClientSocket> {
  const s = await connectSocket(servers[i % servers.length]!.url, user?.token);
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  redis = await startRedis();
  servers = [];
  // Presence rounds every 250 ms (default 2 s), so the presence test waits for rounds, not seconds.
  for (let i = 0; i < 3; i++) servers.push(await startServer(redis.url, { REDIS_PREFIX: PREFIX, PRESENCE_INTERVAL_MS: '250' }));
  users = [];
  for (let i = 0; i < 6; i++) users.push(await makeUser({ name: `Poster ${i}` }));
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
  for (const s of servers ?? []) await s.close();
  await redis?.stop();
});

const expectContiguous = (events: ThreadEvent[], from: number, to: number) =>
  expect(events.map((e) => e.offset)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));

describe('fan-out across instances', () => {
  it('delivers every event of a thread to every viewer on every instance, in offset order, and nothing from other threads', async () => {
    const threads = ['fan-a', 'fan-b', 'fan-c'];
    const viewers: { threadId: string; log: ReturnType<typeof record<'thread:event'>> }[] = [];
    for (let i = 0; i < 12; i++) {
      const threadId = threads[i % 3]!;
      const s = await socketOn(i);
      await ok(s, 'thread:join', { threadId });
      viewers.push({ threadId, log: record(s, 'thread:event') });
    }
    // Six posters spread over the three instances post into all threads at once.
    const posters = await Promise.all(users.map((u, i) => socketOn(i, u)));
    const perPoster = 15;
    await Promise.all(
      posters.map(async (s, p) => {
        for (let k = 0; k < perPoster; k++) {
          await ok(s, 'comment:post', { threadId: threads[(p + k) % 3]!, body: `p${p} k${k}`, clientId: `fan-${p}-${k}-0000` });
        }
      }),
    );
    const total = (posters.length * perPoster) / threads.length;
    for (const v of viewers) {
      await v.log.waitFor(total, 10_000);
      const foreign = v.log.seen.filter((e) => e.threadId !== v.threadId).map((e) => ({ threadId: e.threadId, offset: e.offset }));
      expect(foreign, `events from other threads seen by a viewer of ${v.threadId}`).toEqual([]);
      expectContiguous(v.log.seen, 1, total);
      expect(new Set(v.log.seen.map((e) => e.comment.id)).size).toBe(total);
    }
  });

  it('loses nothing and repeats nothing for clients that join while comments are being posted', async () => {
    const threadId = 'fan-joining';
    // The instance followers join through subscribes over a slow link: an
    // event published before its subscription takes effect must still reach them.
    const slow = new SlowLink(redis.port, 100);
    let laggingToClose: TestServer | undefined;
    let posting = true;
    let postLoop: Promise<void> = Promise.resolve();
    try {
      await slow.start();
      const lagging = await startServer(redis.url, { REDIS_PREFIX: PREFIX }, { subscriberUrl: slow.url });
      laggingToClose = lagging;
      const poster = await socketOn(0, users[0]);
      let posted = 0;
      postLoop = (async () => {
        while (posting) {
          await ok(poster, 'comment:post', { threadId, body: `n${posted}`, clientId: `join-race-${posted}-000` });
          posted++;
        }
      })();
      // Its failure is reported where it is awaited below, not as an unhandled rejection while followers join.
      postLoop.catch(() => {});
      // Each client follows the contract: page over REST, join with since, then
      // apply `missed` and drop live events at or below the last applied offset.
      const followers = await Promise.all(
        Array.from({ length: 9 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, i * 15));
          const s = await connectSocket(lagging.url);
          sockets.push(s);
          const applied: number[] = [];
          let last = -1;
          const early: ThreadEvent[] = [];
          const apply = (e: ThreadEvent) => {
            if (last < 0) return void early.push(e);
            if (e.offset <= last) return;
            applied.push(e.offset);
            last = e.offset;
          };
          s.on('thread:event', apply);
          s.on('thread:batch', (b) => b.events.forEach(apply));
          const page = (await request(lagging.url).get(`/api/threads/${threadId}/comments?limit=1`)).body;
          const joined = await ok(s, 'thread:join', { threadId, since: { offset: page.offset, epoch: page.epoch } });
          expect(joined.recovered).toBe(true);
          last = page.offset;
          for (const e of [...joined.missed, ...early.sort((a, b) => a.offset - b.offset)]) {
            if (e.offset <= last) continue;
            applied.push(e.offset);
            last = e.offset;
          }
          return { from: page.offset + 1, applied };
        }),
      );
      // Live traffic after every follower has joined: a fixed number of comments, not a fixed time.
      const postedWhenJoined = posted;
      await eventually(
        () => expect(posted, 'comments posted after the followers joined').toBeGreaterThanOrEqual(postedWhenJoined + 50),
        10_000,
      );
      posting = false;
      await postLoop;
      const final = (await request(servers[0]!.url).get(`/api/threads/${threadId}`)).body.thread.offset;
      for (const f of followers) {
        await eventually(() => expect(f.applied.at(-1)).toBe(final));
        expect(f.applied).toEqual(Array.from({ length: final - f.from + 1 }, (_, i) => f.from + i));
      }
    } finally {
      // Stop posting first (also when a step above failed), then the lagging instance and its link.
      posting = false;
      await postLoop.catch(() => {});
      await laggingToClose?.close();
      await slow.stop();
    }
  });

  it('shows typing to the thread’s other viewers on any instance, at most once per 3 s per user', async () => {
    const threadId = 'fan-typing';
    const [typist, typistOtherTab, other] = await Promise.all([socketOn(0, users[1]), socketOn(1, users[1]), socketOn(2, users[2])]);
    for (const s of [typist, typistOtherTab, other]) await ok(s, 'thread:join', { threadId });
    const seen = record(other, 'thread:typing');
    const ownTab = record(typistOtherTab, 'thread:typing');
    expect(await ok(typist, 'typing', { threadId })).toMatchObject({ sent: true });
    expect(await ok(typist, 'typing', { threadId })).toMatchObject({ sent: false });
    await seen.waitFor(1);
    expect(seen.seen[0]).toEqual({ threadId, user: { handle: users[1]!.handle, name: 'Poster 1' } });
    // Barrier: the other viewer types too. Its signal takes the same room channel to the
    // typist's other tab, published after the typist's, so it arrives after anything of theirs.
    expect(await ok(other, 'typing', { threadId })).toMatchObject({ sent: true });
    await ownTab.waitFor(1);
    expect(ownTab.seen, 'the typist’s other tab hears only the other viewer, not its own user').toEqual([
      { threadId, user: { handle: users[2]!.handle, name: 'Poster 2' } },
    ]);
    const anon = await socketOn(0);
    await ok(anon, 'thread:join', { threadId });
    expect(await emit(anon, 'typing', { threadId })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await emit(other, 'typing', { threadId: 'not-joined' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('puts moderators (and only them) in the moderators room on every instance', async () => {
    const mod = await makeUser({ role: 'moderator' });
    const modTab = await socketOn(1, mod);
    const commenter = await socketOn(2, users[0]);
    const modLog = record(modTab, 'thread:presence');
    const commenterLog = record(commenter, 'thread:presence');
    await workerEmitter().emit(rooms.moderators, 'thread:presence', { threadId: 'mods', viewers: 1 });
    await modLog.waitFor(1);
    // Barrier: a marker to the commenter's own user room, published after the moderators'
    // message. Its instance reads both from one Redis subscription in publish order, so the
    // marker arrives after the moderators' message would have.
    await workerEmitter().emit(rooms.user(users[0]!.id), 'thread:presence', {
      threadId: 'marker',
      viewers: 2,
    });
    await commenterLog.waitFor(1);
    expect(commenterLog.seen, 'a commenter gets only the marker, not the moderators’ message').toEqual([
      { threadId: 'marker', viewers: 2 },
    ]);
  });

  it('sends an unread count on connect that covers a notification made while the user’s channel was being subscribed', async () => {
    // The instance subscribes over a slow link: its SSUBSCRIBE for the new user room lands 150 ms late.
    const slow = new SlowLink(redis.port, 150);
    let lagging: TestServer | undefined;
    try {
      await slow.start();
      lagging = await startServer(redis.url, { REDIS_PREFIX: PREFIX }, { subscriberUrl: slow.url });
      const target = await makeUser();
      // Known to the server (first sight), so the mention below resolves; nobody runs its notify job yet.
      await request(servers[0]!.url).get('/api/threads/fan-race').set('Authorization', `Bearer ${target.token}`).expect(200);
      const threadId = 'fan-race';
      const comment = (
        await request(servers[0]!.url)
          .post(`/api/threads/${threadId}/comments`)
          .set('Authorization', `Bearer ${users[0]!.token}`)
          .send({ body: `@${target.handle} hey` })
          .expect(201)
      ).body.comment;
      const tab = await connectSocket(lagging.url, target.token);
      sockets.push(tab);
      const counts = record(tab, 'notifications:unread');
      const pushes = record(tab, 'notification');
      // The notify job runs the moment the session starts: the inbox write, then the live push.
      await processNotify(lagging.app.deps, { threadId, commentId: comment.id, reason: 'posted' });
      await counts.waitFor(1);
      // Counted, or else it must have been pushed; never neither.
      if (counts.seen[0]!.unread === 0) await pushes.waitFor(1, 1_000);
      expect(counts.seen[0]!.unread, 'the count sent on connect includes the notification').toBe(1);
    } finally {
      await lagging?.close();
      await slow.stop();
    }
  });

  it('lets a process without a Socket.IO server (a worker) emit to a user room on every instance', async () => {
    const target = users[3]!;
    const tabs = await Promise.all([socketOn(0, target), socketOn(2, target)]);
    const logs = tabs.map((t) => record(t, 'thread:presence'));
    const worker = workerEmitter();
    await worker.emit(rooms.user(target.id), 'thread:presence', { threadId: 'from-a-worker', viewers: 7 });
    for (const log of logs) {
      await log.waitFor(1);
      expect(log.seen[0]).toEqual({ threadId: 'from-a-worker', viewers: 7 });
    }
  });
});

describe('presence', () => {
  it('counts distinct viewers across instances (a user’s tabs once) and pushes changes', async () => {
    const threadId = 'fan-presence';
    const watcher = await socketOn(0);
    const counts = record(watcher, 'thread:presence');
    await ok(watcher, 'thread:join', { threadId });
    const u = users[4]!;
    for (const s of [await socketOn(1, u), await socketOn(2, u), await socketOn(1), await socketOn(2)]) {
      await ok(s, 'thread:join', { threadId });
    }
    // watcher + user (2 tabs, counted once) + 2 anonymous readers
    await eventually(() => expect(counts.seen.at(-1)?.viewers).toBe(4), 8_000);
    const pushes = counts.seen.length;
    // Barrier: a full presence round on the watcher's instance. The watcher joins a second
    // thread, whose count that instance pushes on its next round, after this thread's
    // (rounds go through threads in the order they were first joined).
    const marker = `${threadId}-marker`;
    await ok(watcher, 'thread:join', { threadId: marker });
    await eventually(
      () =>
        expect(
          counts.seen.map((c) => c.threadId),
          'a presence push for the marker thread',
        ).toContain(marker),
      8_000,
    );
    expect(counts.seen.slice(pushes), 'no push for an unchanged count in the round after it settled').toEqual([
      { threadId: marker, viewers: 1 },
    ]);
  });
});

describe('Redis restarts under load', () => {
  it('fails writes fast with unavailable, then resumes, and the next comment crosses instances', async () => {
    const threadId = 'fan-restart';
    const reader = await socketOn(1);
    await ok(reader, 'thread:join', { threadId });
    const poster = await socketOn(0, users[5]);
    await ok(poster, 'comment:post', { threadId, body: 'before', clientId: 'restart-before-01' });
    const log = record(reader, 'thread:event');
    const syncs = record(reader, 'thread:sync');

    await redis.kill();
    const started = Date.now();
    const failed = await emit(poster, 'comment:post', { threadId, body: 'during', clientId: 'restart-during-1' });
    expect(failed).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(Date.now() - started).toBeLessThan(3_500);

    await redis.restart();
    // Retried until Redis is back; the clientId makes the retries one comment.
    await eventually(
      async () => {
        const res = await emit(poster, 'comment:post', { threadId, body: 'after', clientId: 'restart-after-001' });
        expect(res, 'posting works again once Redis is back').toMatchObject({ ok: true });
      },
      10_000,
      100,
    );
    await eventually(() => expect(log.seen.map((e) => e.comment.body)).toContain('after'), 8_000);
    // Events published while the subscription was down are lost to it; the reader is told where the thread is.
    await eventually(() =>
      expect(
        syncs.seen.map((e) => e.threadId),
        'thread:sync for the joined thread after the subscriber reconnected',
      ).toContain(threadId),
    );
  });
});
