import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ThreadEventSchema, type Comment, type ThreadEvent } from '../contract/index.ts';
import { connect, type ThreadlineClient } from '../client/sdk/index.ts';
import { connectSocket, makeUser, ok, record, type ClientSocket, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, startServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';

/*
 * What a reader can get back after a comment changed: recovery (`thread:join`
 * with `since`), live removal events, REST pages and mention autocomplete
 * must all show today's public form, never an earlier version, and never the
 * author of a comment that was deleted, removed or held.
 */

const RECOVERY_MAX_EVENTS = 40;
const RECOVERY_MAX_BYTES = 30_000;

let redis: TestRedis;
let server: TestServer;
let threadN = 0;
const newThread = () => `priv-${++threadN}`;
const open: ClientSocket[] = [];
const sdkClients: ThreadlineClient[] = [];

async function socketFor(user?: TestUser): Promise<ClientSocket> {
  const s = await connectSocket(server.url, user?.token);
  open.push(s);
  return s;
}

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer({
    REPORT_HOLD_THRESHOLD: '2',
    // Every test account is minutes old; none should count as new (reports, limits).
    RATE_NEW_ACCOUNT_HOURS: '0',
    // Bulk posts in the bound tests look alike; screening must not hold them mid-test.
    SCREEN_MIN_TEXT_LENGTH: '100000',
    RECOVERY_MAX_EVENTS: String(RECOVERY_MAX_EVENTS),
    RECOVERY_MAX_BYTES: String(RECOVERY_MAX_BYTES),
  }));
});

afterEach(() => {
  for (const s of open.splice(0)) s.disconnect();
  for (const c of sdkClients.splice(0)) c.close();
});

afterAll(() => stopServerAndRedis(server, redis));

/** Every way a removed comment's text or author could show up in serialised output. */
function leaks(json: string, secrets: string[]): string[] {
  return secrets.filter((s) => json.includes(s));
}

interface Scene {
  threadId: string;
  /** What a reader that watched from the start received live. */
  live: ThreadEvent[];
  ids: { edited: string; deleted: string; rejected: string; held: string; kept: string; reply: string };
  /** Texts and author identities no reader may see any more. */
  secrets: string[];
  people: Record<'alice' | 'bob' | 'carol' | 'dave' | 'mod', TestUser>;
}

/**
 * Alice posts and later edits one comment and deletes another; Bob's comment
 * is rejected by a moderator; Carol's is held after two reports; Dave's stays,
 * and Dave replies to Bob's. A reader watches it all live.
 */
async function scene(): Promise<Scene> {
  const threadId = newThread();
  const people = {
    alice: await makeUser({ name: 'Alice Editwell', handle: `alice_${threadN}` }),
    bob: await makeUser({ name: 'Bob Rejectedson', handle: `bob_rejected_${threadN}` }),
    carol: await makeUser({ name: 'Carol Heldby', handle: `carol_held_${threadN}` }),
    dave: await makeUser({ name: 'Dave Stays', handle: `dave_${threadN}` }),
    mod: await makeUser({ role: 'moderator', name: 'Mo Derator' }),
  };
  const reporters = [await makeUser(), await makeUser()];
  const watcher = await socketFor();
  await ok(watcher, 'thread:join', { threadId });
  const live = record(watcher, 'thread:event');

  const post = async (u: TestUser, body: string, parentId?: string): Promise<Comment> =>
    (
      await request(server.url)
        .post(`/api/threads/${threadId}/comments`)
        .set(auth(u))
        .send({ body, ...(parentId ? { parentId } : {}) })
        .expect(201)
    ).body.comment;

  const edited = await post(people.alice, 'ORIGINAL-TEXT-before-the-edit');
  const deleted = await post(people.alice, 'DELETED-TEXT-by-its-author');
  const rejected = await post(people.bob, 'REJECTED-TEXT-by-a-moderator');
  const held = await post(people.carol, 'HELD-TEXT-after-reports');
  const kept = await post(people.dave, 'kept text stays');
  const reply = await post(people.dave, 'a reply to the rejected one', rejected.id);

  await request(server.url)
    .patch(`/api/comments/${encodeURIComponent(edited.id)}`)
    .set(auth(people.alice))
    .send({ body: 'edited text is current' })
    .expect(200);
  await request(server.url)
    .delete(`/api/comments/${encodeURIComponent(deleted.id)}`)
    .set(auth(people.alice))
    .expect(200);
  await request(server.url)
    .post(`/api/moderation/comments/${encodeURIComponent(rejected.id)}/reject`)
    .set(auth(people.mod))
    .send({})
    .expect(200);
  for (const r of reporters)
    await request(server.url)
      .post(`/api/comments/${encodeURIComponent(held.id)}/report`)
      .set(auth(r))
      .send({ reason: 'abuse' })
      .expect(200);
  // 6 posts, 1 edit, 3 removals.
  await live.waitFor(10);

  const secrets = [
    'ORIGINAL-TEXT',
    'DELETED-TEXT',
    'REJECTED-TEXT',
    'HELD-TEXT',
    ...[people.bob, people.carol].flatMap((u) => [u.name, u.handle, u.id]),
  ];
  return {
    threadId,
    live: live.seen,
    ids: { edited: edited.id, deleted: deleted.id, rejected: rejected.id, held: held.id, kept: kept.id, reply: reply.id },
    secrets,
    people,
  };
}

function expectTombstone(c: Comment, status: string, what: string): void {
  expect(c, `${what}: a tombstone (status ${status}, no body, no mentions, no author)`).toMatchObject({
    status,
    body: '',
    mentions: [],
    author: null,
  });
}

describe('recovery shows only what a reader may see now', () => {
  it('an anonymous join from offset 0 gets no old text and no author of a deleted, removed or held comment; one event per offset, in order', async () => {
    const s = await scene();
    const reader = await socketFor();
    const res = await ok(reader, 'thread:join', { threadId: s.threadId, since: { offset: 0, epoch: '' } });
    expect(res.recovered, 'the log holds every event, so recovery is whole').toBe(true);

    const offsets = res.missed.map((e) => e.offset);
    expect(offsets, 'every offset from 1 to the thread offset, once each, in order').toEqual(
      Array.from({ length: res.offset }, (_, i) => i + 1),
    );
    expect(
      res.missed.map((e) => [e.offset, e.type]),
      'the same events, offsets and types the live reader received',
    ).toEqual(s.live.map((e) => [e.offset, e.type]));
    for (const e of res.missed) ThreadEventSchema.parse(e);

    expect(leaks(JSON.stringify(res.missed), s.secrets), 'old text or a removed comment’s author in the recovered events').toEqual([]);

    const last = new Map(res.missed.map((e) => [e.comment.id, e.comment]));
    for (const e of res.missed) {
      const { id } = e.comment;
      if (id === s.ids.deleted) expectTombstone(e.comment, 'deleted', `event ${e.offset} (${e.type}) of the deleted comment`);
      if (id === s.ids.rejected) expectTombstone(e.comment, 'removed', `event ${e.offset} (${e.type}) of the rejected comment`);
      if (id === s.ids.held) expectTombstone(e.comment, 'pending', `event ${e.offset} (${e.type}) of the held comment`);
      if (id === s.ids.edited)
        expect(e.comment.body, `event ${e.offset} (${e.type}) of the edited comment carries its current body`).toBe(
          'edited text is current',
        );
    }
    expect(last.get(s.ids.kept)).toMatchObject({ status: 'visible', body: 'kept text stays', author: { handle: s.people.dave.handle } });
    expect(last.get(s.ids.reply), 'a reply keeps pointing at its removed parent').toMatchObject({
      parentId: s.ids.rejected,
      status: 'visible',
    });
  });

  it('live removal events carry a tombstone without the author', async () => {
    const s = await scene();
    const removals = s.live.filter((e) => e.type === 'comment.removed');
    expect(removals.map((e) => e.comment.id)).toEqual([s.ids.deleted, s.ids.rejected, s.ids.held]);
    for (const e of removals) expectTombstone(e.comment, e.comment.status, `live comment.removed at ${e.offset}`);
    expect(leaks(JSON.stringify(removals), s.secrets), 'old text or author in live removal events').toEqual([]);
  });

  it('log entries written before this change (with the whole comment in them) are read for their comment id only', async () => {
    const threadId = newThread();
    const author = await makeUser({ name: 'Legacy Author', handle: `legacy_${threadN}` });
    const { comment } = (
      await request(server.url)
        .post(`/api/threads/${threadId}/comments`)
        .set(auth(author))
        .send({ body: 'LEGACY-TEXT in an old log' })
        .expect(201)
    ).body;
    await request(server.url)
      .delete(`/api/comments/${encodeURIComponent(comment.id)}`)
      .set(auth(author))
      .expect(200);
    // The log as the previous version wrote it: the comment's JSON in every entry.
    const log = `${server.prefix}{t:${threadId}}:log`;
    const full = JSON.stringify({ ...comment, body: 'LEGACY-TEXT in an old log' });
    await redis.client.del(log);
    await redis.client.xadd(log, '1-0', 'type', 'comment.created', 'comment', full);
    await redis.client.xadd(log, '2-0', 'type', 'comment.removed', 'comment', JSON.stringify({ ...comment, status: 'deleted', body: '' }));

    const reader = await socketFor();
    const res = await ok(reader, 'thread:join', { threadId, since: { offset: 0, epoch: '' } });
    expect(res.missed.map((e) => [e.offset, e.type])).toEqual([
      [1, 'comment.created'],
      [2, 'comment.removed'],
    ]);
    expect(leaks(JSON.stringify(res.missed), ['LEGACY-TEXT', author.name, author.handle]), 'text or author from an old log entry').toEqual(
      [],
    );
    for (const e of res.missed) expectTombstone(e.comment, 'deleted', `old-format entry ${e.offset}`);
  });
});

describe('other reader paths', () => {
  it('REST pages show current text only, and no deleted, removed or held comment', async () => {
    const s = await scene();
    for (const order of ['oldest', 'newest']) {
      const page = (await request(server.url).get(`/api/threads/${s.threadId}/comments`).query({ order }).expect(200)).body;
      expect(page.comments.map((c: Comment) => c.id).sort(), `${order} page`).toEqual([s.ids.edited, s.ids.kept, s.ids.reply].sort());
      expect(leaks(JSON.stringify(page), s.secrets), `old text or author on the ${order} page`).toEqual([]);
    }
    // Carol still sees her own held comment, whole, on her first page.
    const own = (await request(server.url).get(`/api/threads/${s.threadId}/comments`).set(auth(s.people.carol)).expect(200)).body;
    expect(own.pending).toMatchObject([{ id: s.ids.held, body: 'HELD-TEXT-after-reports', author: { id: s.people.carol.id } }]);
  });

  it('mention autocomplete offers only people with a comment readers can see in the thread', async () => {
    const s = await scene();
    const ask = async (prefix: string) =>
      (
        await request(server.url).get(`/api/threads/${s.threadId}/participants`).query({ prefix }).set(auth(s.people.dave)).expect(200)
      ).body.users.map((u: { id: string }) => u.id);
    expect(await ask(''), 'thread participants: Alice (one visible comment left); not Bob (removed) nor Carol (held)').toEqual([
      s.people.alice.id,
    ]);
    // A removal that leaves the author without a visible comment takes them off; approving brings them back.
    await request(server.url)
      .post(`/api/moderation/comments/${encodeURIComponent(s.ids.held)}/approve`)
      .set(auth(s.people.mod))
      .send({})
      .expect(200);
    expect(await ask('')).toEqual([s.people.carol.id, s.people.alice.id]);
    await request(server.url)
      .delete(`/api/comments/${encodeURIComponent(s.ids.edited)}`)
      .set(auth(s.people.alice))
      .expect(200);
    expect(await ask('')).toEqual([s.people.carol.id]);
  });
});

describe('recovery is bounded', () => {
  async function postMany(threadId: string, n: number, body: (i: number) => string): Promise<string> {
    const u = await makeUser();
    for (let i = 0; i < n; i++)
      await request(server.url)
        .post(`/api/threads/${threadId}/comments`)
        .set(auth(u))
        .send({ body: body(i) })
        .expect(201);
    return (await request(server.url).get(`/api/threads/${threadId}`).expect(200)).body.thread.epoch;
  }

  it(`answers recovered:false beyond RECOVERY_MAX_EVENTS (${RECOVERY_MAX_EVENTS}) missed events`, async () => {
    const threadId = newThread();
    const epoch = await postMany(threadId, RECOVERY_MAX_EVENTS + 1, (i) => `short ${i}`);
    const reader = await socketFor();
    const all = await ok(reader, 'thread:join', { threadId, since: { offset: 0, epoch: '' } });
    expect(
      { recovered: all.recovered, missed: all.missed.length, offset: all.offset },
      `${RECOVERY_MAX_EVENTS + 1} missed events are over the bound`,
    ).toEqual({ recovered: false, missed: 0, offset: RECOVERY_MAX_EVENTS + 1 });
    const within = await ok(reader, 'thread:join', { threadId, since: { offset: 1, epoch } });
    expect(within.recovered, `${RECOVERY_MAX_EVENTS} missed events are within it`).toBe(true);
    expect(within.missed).toHaveLength(RECOVERY_MAX_EVENTS);
  });

  it(`answers recovered:false when the missed events would exceed RECOVERY_MAX_BYTES (${RECOVERY_MAX_BYTES})`, async () => {
    const threadId = newThread();
    // 10 events of about 4.3 KB each: few enough, but over the byte bound.
    const epoch = await postMany(threadId, 10, (i) => `${i} ${'long text '.repeat(400)}`);
    const reader = await socketFor();
    const all = await ok(reader, 'thread:join', { threadId, since: { offset: 0, epoch: '' } });
    expect({ recovered: all.recovered, missed: all.missed.length }, '10 events of ~4.3 KB are over the byte bound').toEqual({
      recovered: false,
      missed: 0,
    });
    const some = await ok(reader, 'thread:join', { threadId, since: { offset: 5, epoch } });
    expect(some.recovered, '5 such events are within it').toBe(true);
    expect(some.missed.map((e) => e.offset)).toEqual([6, 7, 8, 9, 10]);
    expect(JSON.stringify(some.missed).length).toBeLessThanOrEqual(RECOVERY_MAX_BYTES);
  });

  it('re-joining in a loop stops recovering once the client address has had RECOVERY_BYTES_PER_MINUTE, on any of its sockets', async () => {
    const BUDGET = 200_000;
    const budgeted = await startServer(redis.url, {
      RECOVERY_BYTES_PER_MINUTE: String(BUDGET),
      RECOVERY_MAX_BYTES: '1000000',
      SCREEN_MIN_TEXT_LENGTH: '100000',
    });
    try {
      const threadId = 'budget-thread';
      const u = await makeUser();
      // 20 comments of about 4.3 KB: about 90 KB per full recovery, well within one join's bound.
      for (let i = 0; i < 20; i++) {
        await request(budgeted.url)
          .post(`/api/threads/${threadId}/comments`)
          .set(auth(u))
          .send({ body: `${i} ${'long text '.repeat(400)}` })
          .expect(201);
      }
      const reader = await connectSocket(budgeted.url);
      open.push(reader);
      const joins = [];
      for (let i = 0; i < 10; i++) joins.push(await ok(reader, 'thread:join', { threadId, since: { offset: 0, epoch: '' } }));
      const size = JSON.stringify(joins[0]!.missed).length;
      expect(joins[0]!.missed, 'the first join recovers all 20 events').toHaveLength(20);
      const fits = Math.floor(BUDGET / size);
      expect(
        joins.map((j) => j.recovered),
        `each full recovery is ${size} bytes: ${fits} fit in ${BUDGET} bytes a minute, the rest answer recovered:false`,
      ).toEqual([...Array(10).keys()].map((i) => i < fits));
      const sent = joins.reduce((sum, j) => sum + JSON.stringify(j.missed).length, 0);
      expect(sent, 'bytes of recovered events sent to the address this minute').toBeLessThanOrEqual(BUDGET);
      expect(joins.at(-1), 'a join past the budget still joins, with nothing recovered').toMatchObject({
        recovered: false,
        missed: [],
        offset: 20,
      });

      // A new socket from the same address shares the budget; a small recovery still fits what is left.
      const another = await connectSocket(budgeted.url);
      open.push(another);
      expect(
        (await ok(another, 'thread:join', { threadId, since: { offset: 0, epoch: '' } })).recovered,
        'a full recovery on another socket',
      ).toBe(false);
      const epoch = joins[0]!.epoch;
      const last = await ok(another, 'thread:join', { threadId, since: { offset: 19, epoch } });
      expect(
        { recovered: last.recovered, offsets: last.missed.map((e) => e.offset) },
        'one missed event fits the rest of the budget',
      ).toEqual({ recovered: true, offsets: [20] });
    } finally {
      await budgeted.close();
    }
  });
});

describe('the SDK after a disconnection', () => {
  const reader = () => {
    const c = connect({ url: server.url });
    sdkClients.push(c);
    return c;
  };
  const post = async (u: TestUser, threadId: string, body: string): Promise<Comment> =>
    (await request(server.url).post(`/api/threads/${threadId}/comments`).set(auth(u)).send({ body }).expect(201)).body.comment;

  it('recovers a comment edited and another deleted meanwhile without ever handing the app their old text', async () => {
    const threadId = newThread();
    const author = await makeUser({ name: 'Away Author', handle: `away_${threadN}` });
    const events: ThreadEvent[] = [];
    const c = reader();
    const view = await c.joinThread(threadId, { onEvent: (e) => events.push(e) });
    // Offline until everything happened (reconnecting is the SDK's job, but not mid-test).
    c.socket.disconnect();
    const edited = await post(author, threadId, 'FIRST-DRAFT of a comment');
    const deleted = await post(author, threadId, 'REGRETTED-TEXT soon deleted');
    await request(server.url)
      .patch(`/api/comments/${encodeURIComponent(edited.id)}`)
      .set(auth(author))
      .send({ body: 'final wording' })
      .expect(200);
    await request(server.url)
      .delete(`/api/comments/${encodeURIComponent(deleted.id)}`)
      .set(auth(author))
      .expect(200);
    c.socket.connect();
    await eventually(() => expect(view.at.offset).toBe(4));
    expect(view.comments.map((x) => x.body)).toEqual(['final wording']);
    expect(leaks(JSON.stringify(events), ['FIRST-DRAFT', 'REGRETTED-TEXT']), 'old text handed to the app').toEqual([]);
    // The edit (offset 3) is already in what offset 1 carries, so the view does not hand it over again.
    expect(
      events.map((e) => [e.offset, e.type]),
      'the events, once each, in order',
    ).toEqual([
      [1, 'comment.created'],
      [2, 'comment.created'],
      [4, 'comment.removed'],
    ]);
    expect(events[0]!.comment.body, 'the first event already carries the edited text').toBe('final wording');
    expect(
      events.filter((e) => e.comment.id === deleted.id).map((e) => e.comment.author),
      'the deleted comment’s events name nobody',
    ).toEqual([null, null]);
  });

  it(`reloads over REST (onReset 'history-lost') when more than RECOVERY_MAX_EVENTS events were missed`, async () => {
    const threadId = newThread();
    const author = await makeUser();
    const resets: string[] = [];
    const c = reader();
    const view = await c.joinThread(threadId, { onReset: (_comments, why) => resets.push(why) });
    c.socket.disconnect();
    for (let i = 0; i <= RECOVERY_MAX_EVENTS; i++) await post(author, threadId, `missed ${i}`);
    c.socket.connect();
    await eventually(() => expect(resets).toEqual(['initial', 'history-lost']));
    await eventually(() => expect(view.comments).toHaveLength(RECOVERY_MAX_EVENTS + 1));
    expect(view.at.offset).toBe(RECOVERY_MAX_EVENTS + 1);
  });
});
