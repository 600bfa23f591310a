import request from 'supertest';
import { type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueuePageSchema, type AuditEntry, type Comment, type ModEvent } from '../contract/index.ts';
import { connect as connectSdk, type ThreadlineClient } from '../client/sdk/index.ts';
import { importSeedThread, SEED_THREAD_ID } from '../server/cli/seed.ts';
import { connectSocket, makeUser, moderationSocket, ok, record, request as emit, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServers, stopServersAndRedis, type TestServer } from './support/server.ts';
import { veteran } from './support/users.ts';
import { eventually } from './support/wait.ts';

const PREFIX = 'md:';
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let mod: TestUser;
let mod2: TestUser;
let admin: TestUser;
const cleanup: (() => void)[] = [];

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });
const post = (u: TestUser, threadId: string, body: string, server = a) =>
  request(server.url).post(`/api/threads/${threadId}/comments`).set(auth(u)).send({ body });
const act = (u: TestUser, commentId: string, action: string, server = a) =>
  request(server.url)
    .post(`/api/moderation/comments/${encodeURIComponent(commentId)}/${action}`)
    .set(auth(u))
    .send({});
/** A queue page, checked against the contract's schema. */
const queue = async (name: string, threadId?: string) =>
  QueuePageSchema.parse(
    (
      await request(a.url)
        .get(`/api/moderation/queues/${name}`)
        .query(threadId ? { threadId } : {})
        .set(auth(mod))
        .expect(200)
    ).body,
  );

/** A /moderation socket; `onEvent` hears every mod:event from the first (the queue counts come with the connection). */
async function modSocket(user: TestUser, server = a, onEvent?: (e: ModEvent) => void): Promise<Socket> {
  const s = await moderationSocket(server.url, user.token, onEvent && ((socket) => socket.on('mod:event', onEvent)));
  cleanup.push(() => s.disconnect());
  return s;
}

async function reader(threadId: string, server = b): Promise<ReturnType<typeof record<'thread:event'>>> {
  const s = await connectSocket(server.url);
  cleanup.push(() => s.disconnect());
  await ok(s, 'thread:join', { threadId });
  return record(s, 'thread:event');
}

beforeAll(async () => {
  ({
    redis,
    servers: [a, b],
  } = await startRedisAndServers(2, { REDIS_PREFIX: PREFIX }));
  mod = await makeUser({ handle: 'mod_one', role: 'moderator' });
  mod2 = await makeUser({ handle: 'mod_two', role: 'moderator' });
  admin = await makeUser({ handle: 'the_admin', role: 'admin' });
});

afterEach(async () => {
  for (const c of cleanup.splice(0)) c();
  await request(a.url)
    .put('/api/moderation/wordlists')
    .set(auth(admin))
    .send({ banned: [], suspect: [], suspectAction: 'hold', builtinProfanity: 'off' })
    .expect(200);
  await request(a.url).put('/api/moderation/settings').set(auth(admin)).send({ premodNewUsers: 0 }).expect(200);
});

afterAll(() => stopServersAndRedis([a, b], redis));

describe('word lists', () => {
  it('hold the seed thread’s comments with suspect terms, showing the reason; the others stay visible', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ suspect: ['dotard', 'bigot'] })
      .expect(200);
    const feed = await modSocket(mod);
    const events: ModEvent[] = [];
    feed.on('mod:event', (e: ModEvent) => events.push(e));

    const { comments } = await importSeedThread(a.app.deps);
    const held = comments.filter((c) => c.status === 'pending');
    expect(held.map((c) => c.author.name).sort()).toEqual(['CrazyJoe', 'Toasted Heretic']);
    expect(comments.filter((c) => c.status === 'visible')).toHaveLength(15);

    const page = await request(b.url).get(`/api/threads/${SEED_THREAD_ID}/comments?limit=100`);
    expect(page.body.comments).toHaveLength(15);
    const pending = await queue('pending', SEED_THREAD_ID);
    expect(pending.items.map((i) => i.moderation?.reasons[0]?.detail).sort()).toEqual(['suspect list: "bigot"', 'suspect list: "dotard"']);
    expect(pending.items.map((i) => i.moderation?.by)).toEqual([
      { kind: 'system', name: 'automod' },
      { kind: 'system', name: 'automod' },
    ]);
    expect(pending.items.find((i) => i.comment.author.name === 'CrazyJoe')?.comment.body).toContain('dotard');
    await eventually(() => expect(events.filter((e) => e.type === 'comment' && e.moderation?.status === 'pending')).toHaveLength(2));
  });

  it('match obfuscated spellings; banned terms refuse the comment, naming the term, and the refusal is audited', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ banned: ['scumbag'], suspect: ['moron'] })
      .expect(200);
    const u = await makeUser({ handle: 'wl_user' });
    const refused = await post(u, 'wl', 'You absolute 5cumb4g!!');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_payload', details: { reason: { list: 'banned', term: 'scumbag' } } });
    expect((await request(a.url).get('/api/threads/wl')).body.thread.offset).toBe(0);
    const held = await post(u, 'wl', 'what a mooooron');
    expect(held.status).toBe(201);
    expect(held.body.comment.status).toBe('pending');
    const audit = await request(a.url).get('/api/moderation/audit').query({ threadId: 'wl' }).set(auth(mod)).expect(200);
    expect(audit.body.entries.map((e: AuditEntry) => e.action)).toEqual(['hold', 'refuse']);
    expect(audit.body.entries[1].reasons[0].detail).toBe('banned list: "scumbag"');
  });

  it('can publish suspect comments flagged instead of held', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ suspect: ['moron'], suspectAction: 'flag' })
      .expect(200);
    const c = await post(await makeUser(), 'flagged', 'only a moron would say that');
    expect(c.body.comment.status).toBe('visible');
    expect((await queue('flagged', 'flagged')).items.map((i) => i.comment.id)).toEqual([c.body.comment.id]);
  });

  it('holds a comment whose edit brings in a suspect term: readers never get the new text, moderators get it with the reason', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ suspect: ['moron'] })
      .expect(200);
    const u = await makeUser();
    const c = (await post(u, 'edit-held', 'a fine remark')).body.comment as Comment;
    const events = await reader('edit-held');
    const edited = await request(a.url)
      .patch(`/api/comments/${encodeURIComponent(c.id)}`)
      .set(auth(u))
      .send({ body: 'you moron' })
      .expect(200);
    expect(edited.body.comment).toMatchObject({ status: 'pending', body: 'you moron' });
    await events.waitFor(1);
    expect(events.seen.map((e) => [e.type, e.comment.body])).toEqual([['comment.removed', '']]);
    const pending = await queue('pending', 'edit-held');
    expect(pending.items.map((i) => [i.comment.id, i.moderation?.reasons[0]?.detail])).toEqual([[c.id, 'suspect list: "moron"']]);
    const audit = await request(a.url).get('/api/moderation/audit').query({ threadId: 'edit-held' }).set(auth(mod)).expect(200);
    expect(audit.body.entries.map((e: AuditEntry) => [e.action, e.before, e.after])).toEqual([['hold', 'visible', 'pending']]);
    const asAuthor = await request(a.url).get('/api/threads/edit-held/comments').set(auth(u)).expect(200);
    expect(
      asAuthor.body.pending?.map((p: Comment) => p.id),
      'the author still sees the comment held by its edit',
    ).toEqual([c.id]);
  });

  it('flags a comment whose edit brings in a suspect term when the site flags instead of holding, and says why', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ suspect: ['moron'], suspectAction: 'flag' })
      .expect(200);
    const u = await makeUser();
    const c = (await post(u, 'edit-flagged', 'a fine remark')).body.comment as Comment;
    await request(a.url)
      .patch(`/api/comments/${encodeURIComponent(c.id)}`)
      .set(auth(u))
      .send({ body: 'you moron' })
      .expect(200);
    const flagged = await queue('flagged', 'edit-flagged');
    expect(flagged.items.map((i) => [i.comment.id, i.comment.status, i.moderation?.action, i.moderation?.reasons[0]?.detail])).toEqual([
      [c.id, 'visible', 'flag', 'suspect list: "moron"'],
    ]);
    const audit = await request(a.url).get('/api/moderation/audit').query({ threadId: 'edit-flagged' }).set(auth(mod)).expect(200);
    expect(audit.body.entries.map((e: AuditEntry) => e.action)).toEqual(['flag']);
  });

  it('takes a held comment off the queues when its author deletes it', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ suspect: ['moron'] })
      .expect(200);
    const u = await makeUser();
    const c = (await post(u, 'held-deleted', 'what a moron')).body.comment as Comment;
    expect((await queue('pending', 'held-deleted')).items.map((i) => i.comment.id)).toEqual([c.id]);
    const before = (await queue('pending')).counts.pending;
    await request(a.url)
      .delete(`/api/comments/${encodeURIComponent(c.id)}`)
      .set(auth(u))
      .expect(200);
    expect((await queue('pending', 'held-deleted')).items).toEqual([]);
    expect((await queue('pending')).counts.pending).toBe(before - 1);
  });

  it('refuses an edit over the cap before screening it: a suspect term in the refused text does not hold the comment', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ suspect: ['moron'] })
      .expect(200);
    const u = await makeUser();
    const c = (await post(u, 'edit-cap', 'first')).body.comment as Comment;
    const edit = (body: string) =>
      request(a.url)
        .patch(`/api/comments/${encodeURIComponent(c.id)}`)
        .set(auth(u))
        .send({ body });
    for (let i = 1; i <= 10; i++) await edit(`v${i}`).expect(200);
    expect((await edit('what a moron')).body.error).toMatchObject({ code: 'forbidden', details: { limit: 10 } });
    const page = await request(a.url).get('/api/threads/edit-cap/comments').expect(200);
    expect(page.body.comments.map((x: Comment) => [x.id, x.status, x.body])).toEqual([[c.id, 'visible', 'v10']]);
    expect((await queue('pending', 'edit-cap')).items).toEqual([]);
  });
});

describe('pre-moderation', () => {
  it('holds every comment in a premod thread: its author sees it marked pending (on every tab), readers do not, until approved', async () => {
    await request(a.url).patch('/api/moderation/threads/premod').set(auth(mod)).send({ premod: true }).expect(200);
    const author = await makeUser({ handle: 'premod_author' });
    const otherTab = await connectSocket(b.url, author.token);
    cleanup.push(() => otherTab.disconnect());
    const own = record(otherTab, 'comment:own');
    const events = await reader('premod');

    const c = (await post(author, 'premod', 'please let me in')).body.comment as Comment;
    expect(c.status).toBe('pending');
    await own.waitFor(1);
    expect(own.seen[0]!.comment).toMatchObject({ id: c.id, status: 'pending', body: 'please let me in' });
    const asAuthor = await request(b.url).get('/api/threads/premod/comments').set(auth(author));
    expect(asAuthor.body.comments).toEqual([]);
    expect(asAuthor.body.pending.map((p: Comment) => p.id)).toEqual([c.id]);
    expect((await request(b.url).get('/api/threads/premod/comments')).body.pending).toBeUndefined();
    // That the reader got no live event for the held comment is checked at approval below:
    // anything published for it would reach the reader before the approval's event.

    // The SDK shows the author their pending comment, marked pending, and publishes it in place on approval.
    const sdk = connectSdk({ url: a.url, token: author.token });
    cleanup.push(() => sdk.close());
    const view = await sdk.joinThread('premod');
    expect(view.comments.map((x) => [x.id, x.status])).toEqual([[c.id, 'pending']]);

    const approved = await act(mod, c.id, 'approve', b);
    expect(approved.status).toBe(200);
    await eventually(() => expect(view.comments.map((x) => [x.id, x.status])).toEqual([[c.id, 'visible']]));
    // The approval's event is the thread's latest; a reader's events come over one channel in offset order.
    const approvedAt = (await request(b.url).get('/api/threads/premod').expect(200)).body.thread.offset as number;
    await eventually(() => expect(events.seen.at(-1)?.offset, 'the reader gets the approval’s event').toBe(approvedAt));
    expect(
      events.seen.map((e) => [e.type, e.comment.id, e.comment.status, e.offset]),
      'the reader’s only event is the approval: nothing while the comment was held',
    ).toEqual([['comment.created', c.id, 'visible', approvedAt]]);
  });

  it('shows an author their own held comment however many others wait in the thread, and drops it once decided', async () => {
    await request(a.url).patch('/api/moderation/threads/premod-busy').set(auth(mod)).send({ premod: true }).expect(200);
    const crowd = await makeUser({ handle: 'premod_crowd' });
    for (let i = 0; i < 210; i += 30) {
      await Promise.all(
        Array.from({ length: Math.min(30, 210 - i) }, (_, j) => post(crowd, 'premod-busy', `waiting ${i + j}`).expect(201)),
      );
    }
    const author = await makeUser({ handle: 'premod_late' });
    const mine = (await post(author, 'premod-busy', 'mine, after 210 others')).body.comment as Comment;
    const firstPage = () => request(a.url).get('/api/threads/premod-busy/comments').set(auth(author));
    expect(
      (await firstPage()).body.pending.map((p: Comment) => p.id),
      'the author’s own pending comment behind 210 others',
    ).toEqual([mine.id]);
    expect(
      (await request(a.url).get('/api/threads/premod-busy/comments').set(auth(crowd))).body.pending,
      'the crowd’s own 210',
    ).toHaveLength(100);
    await request(a.url).patch('/api/moderation/threads/premod-busy-other').set(auth(mod)).send({ premod: true }).expect(200);
    await post(crowd, 'premod-busy-other', 'held elsewhere').expect(201);
    const threadView = await queue('pending', 'premod-busy');
    expect(threadView.counts.pending, 'the thread view counts that thread').toBe(211);
    expect((await queue('pending')).counts.pending, 'the site-wide view counts every thread').toBeGreaterThan(211);
    await act(mod, mine.id, 'reject').expect(200);
    expect((await firstPage()).body.pending ?? [], 'a rejected comment is no longer pending').toEqual([]);
    expect((await queue('pending', 'premod-busy')).counts).toMatchObject({ pending: 210, rejected: 1 });
  });

  it('holds comments of users with fewer approved comments than the site asks for', async () => {
    await request(a.url).put('/api/moderation/settings').set(auth(admin)).send({ premodNewUsers: 1 }).expect(200);
    const newcomer = await makeUser({ handle: 'newcomer' });
    const first = (await post(newcomer, 'newusers', 'my first comment')).body.comment;
    expect(first.status).toBe('pending');
    await act(mod, first.id, 'approve').expect(200);
    const second = (await post(newcomer, 'newusers', 'my second comment')).body.comment;
    expect(second.status).toBe('visible');
  });
});

describe('actions propagate live across instances', () => {
  it('a reject on one instance disappears from a reader on another; approve puts a held comment back in its place', async () => {
    const u = await makeUser({ handle: 'live_author' });
    const sdk: ThreadlineClient = connectSdk({ url: b.url });
    cleanup.push(() => sdk.close());
    const c1 = (await post(u, 'live-mod', 'first')).body.comment as Comment;
    await request(a.url).patch('/api/moderation/threads/live-mod').set(auth(mod)).send({ premod: true }).expect(200);
    const held = (await post(u, 'live-mod', 'second, held')).body.comment as Comment;
    await request(a.url).patch('/api/moderation/threads/live-mod').set(auth(mod)).send({ premod: false }).expect(200);
    const c3 = (await post(u, 'live-mod', 'third')).body.comment as Comment;
    const view = await sdk.joinThread('live-mod');
    expect(view.comments.map((c) => c.id)).toEqual([c1.id, c3.id]);

    await act(mod, held.id, 'approve', a).expect(200);
    await eventually(() => expect(view.comments.map((c) => c.id)).toEqual([c1.id, held.id, c3.id]));
    const page = await request(b.url).get('/api/threads/live-mod/comments?order=oldest');
    expect(page.body.comments.map((c: Comment) => c.id)).toEqual([c1.id, held.id, c3.id]);

    await act(mod, c3.id, 'reject', a).expect(200);
    await eventually(() => expect(view.comments.map((c) => c.id)).toEqual([c1.id, held.id]));
    await act(mod2, c1.id, 'feature', b).expect(200);
    await eventually(() => expect(view.comments.find((c) => c.id === c1.id)?.featured).toBe(true));
    expect((await queue('rejected', 'live-mod')).items.map((i) => i.comment.id)).toEqual([c3.id]);
    await act(mod, c3.id, 'restore').expect(200);
    await eventually(() => expect(view.comments.map((c) => c.id)).toEqual([c1.id, held.id, c3.id]));
  });

  it('two moderators acting on the same item at once: one wins, one gets conflict, the audit log has one action', async () => {
    await request(a.url).patch('/api/moderation/threads/race').set(auth(mod)).send({ premod: true }).expect(200);
    const u = await makeUser({ handle: 'race_author' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(u, 'race', `held ${i}`)).body.comment.id);
    const feed2 = await modSocket(mod2, b);
    for (const [i, id] of ids.entries()) {
      const [rest, socket] = await Promise.all([
        act(mod, id, i % 2 ? 'approve' : 'reject', a),
        feed2.timeout(5_000).emitWithAck('mod:action', { commentId: id, action: 'approve' }) as Promise<{
          ok: boolean;
          error?: { code: string; message: string };
        }>,
      ]);
      const outcomes = [rest.status === 200 ? 'won' : rest.body.error.code, socket.ok ? 'won' : socket.error!.code].sort();
      expect(outcomes).toEqual(['conflict', 'won']);
      const loser = rest.status === 200 ? socket.error!.message : rest.body.error.message;
      expect(loser).toMatch(/Already (approved|rejected) by @mod_(one|two)/);
      const audit = await request(a.url).get('/api/moderation/audit').query({ threadId: 'race' }).set(auth(mod));
      const actions = audit.body.entries.filter((e: AuditEntry) => e.target.commentId === id && e.by.kind === 'user');
      expect(actions).toHaveLength(1);
    }
  });

  it('repeating your own action is harmless (idempotent)', async () => {
    const c = (await post(await makeUser(), 'idem-mod', 'remove me')).body.comment;
    await act(mod, c.id, 'reject').expect(200);
    await act(mod, c.id, 'reject').expect(200);
    await act(mod, c.id, 'feature').expect(409);
  });
});

describe('claims', () => {
  it('show other moderators an item is being handled; a second claim is a conflict', async () => {
    const c = (await post(await makeUser(), 'claims', 'look at me')).body.comment;
    const watcher = await modSocket(mod2, b);
    const events: ModEvent[] = [];
    watcher.on('mod:event', (e: ModEvent) => events.push(e));
    await request(a.url)
      .post(`/api/moderation/claims/${encodeURIComponent(c.id)}`)
      .set(auth(mod))
      .expect(200);
    await eventually(() => expect(events.find((e) => e.type === 'claim')).toMatchObject({ commentId: c.id, by: { handle: 'mod_one' } }));
    const second = await request(b.url)
      .post(`/api/moderation/claims/${encodeURIComponent(c.id)}`)
      .set(auth(mod2));
    expect(second.status).toBe(409);
    expect(second.body.error.details.claimedBy.handle).toBe('mod_one');
    await request(a.url)
      .delete(`/api/moderation/claims/${encodeURIComponent(c.id)}`)
      .set(auth(mod))
      .expect(200);
    await request(b.url)
      .post(`/api/moderation/claims/${encodeURIComponent(c.id)}`)
      .set(auth(mod2))
      .expect(200);
  });

  it('go to exactly one of two moderators claiming at once, and only the holder can release', async () => {
    const c = (await post(await makeUser(), 'claims', 'both want me')).body.comment;
    const path = `/api/moderation/claims/${encodeURIComponent(c.id)}`;
    const tries = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(i % 2 ? b.url : a.url)
          .post(path)
          .set(auth(i % 2 ? mod2 : mod)),
      ),
    );
    const winners = new Set(tries.flatMap((r, i) => (r.status === 200 ? [i % 2 ? 'mod_two' : 'mod_one'] : [])));
    expect(winners.size, `one moderator should hold the claim, statuses ${tries.map((r) => r.status)}`).toBe(1);
    const loser = winners.has('mod_one') ? mod2 : mod;
    const holder = winners.has('mod_one') ? mod : mod2;
    await request(a.url).delete(path).set(auth(loser)).expect(200);
    const stillHeld = await request(b.url).post(path).set(auth(loser));
    expect(stillHeld.status, 'a release by someone who does not hold the claim must leave it in place').toBe(409);
    await request(a.url).delete(path).set(auth(holder)).expect(200);
    await request(b.url).post(path).set(auth(loser)).expect(200);
  });
});

describe('bans', () => {
  it('take effect on an already-connected socket, with the ban’s end time, and can remove recent comments', async () => {
    const u = await makeUser({ handle: 'soon_banned' });
    const s = await connectSocket(b.url, u.token);
    cleanup.push(() => s.disconnect());
    const told = record(s, 'account:banned');
    const earlier = (await ok(s, 'comment:post', { threadId: 'bans', body: 'before the ban', clientId: 'ban-before-001' })).comment;
    const events = await reader('bans', a);

    const res = await request(a.url)
      .post(`/api/moderation/users/${u.id}/ban`)
      .set(auth(mod))
      .send({ durationSeconds: 3600, reason: 'abuse', removeRecentComments: true });
    expect(res.status).toBe(200);
    expect(res.body.removedComments).toBe(1);
    await told.waitFor(1);
    expect(told.seen[0]!.until).toBe(res.body.ban.until);
    const refused = await emit(s, 'comment:post', { threadId: 'bans', body: 'after the ban', clientId: 'ban-after-0001' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', details: { bannedUntil: res.body.ban.until } } });
    await events.waitFor(1);
    expect(events.seen[0]).toMatchObject({ type: 'comment.removed', comment: { id: earlier.id, status: 'removed' } });

    await request(a.url).delete(`/api/moderation/users/${u.id}/ban`).set(auth(mod)).expect(200);
    expect((await emit(s, 'comment:post', { threadId: 'bans', body: 'back again', clientId: 'ban-lifted-001' })).ok).toBe(true);
  });
});

describe('reports', () => {
  it('are counted once per reader; three established readers put the comment on hold; moderators see each report live', async () => {
    const author = await makeUser({ handle: 'reported_author' });
    const c = (await post(author, 'reports', 'something contentious')).body.comment;
    const events: ModEvent[] = [];
    await modSocket(mod, a, (e) => events.push(e));
    const reporters = await Promise.all(['rep_vet_1', 'rep_vet_2', 'rep_vet_3'].map((h) => veteran(a, h)));
    const report = (u: TestUser, body: object = { reason: 'abuse' }) =>
      request(b.url)
        .post(`/api/comments/${encodeURIComponent(c.id)}/report`)
        .set(auth(u))
        .send(body);

    expect((await report(reporters[0]!, { reason: 'abuse', note: 'rude' })).body).toEqual({ reported: true, reports: 1 });
    expect((await report(reporters[0]!)).body).toEqual({ reported: false, reports: 1 });
    expect((await report(author)).status).toBe(403);
    expect((await report(reporters[1]!, { reason: 'nonsense' })).status).toBe(400);
    expect(
      (
        await request(b.url)
          .post(`/api/comments/${encodeURIComponent(c.id)}/report`)
          .send({ reason: 'spam' })
      ).status,
    ).toBe(401);
    await report(reporters[1]!, { reason: 'spam' }).expect(200);
    const reported = await queue('reported', 'reports');
    expect(reported.items[0]).toMatchObject({
      comment: { id: c.id },
      reports: { count: 2, reasons: { abuse: 1, spam: 1 }, notes: ['rude'] },
    });

    await report(reporters[2]!, { reason: 'abuse' }).expect(200);
    await eventually(async () => expect((await queue('pending', 'reports')).items.map((i) => i.comment.id)).toEqual([c.id]));
    expect((await request(a.url).get('/api/threads/reports/comments')).body.comments).toEqual([]);
    await eventually(() => expect(events.filter((e) => e.type === 'report')).toHaveLength(3));
    expect(events.some((e) => e.type === 'hold' && e.comment.id === c.id && e.moderation.reasons[0]?.rule === 'reports')).toBe(true);
    expect(events.some((e) => e.type === 'queues')).toBe(true);
  });

  it('count half from accounts younger than RATE_NEW_ACCOUNT_HOURS: three fresh readers do not hold a comment, six do', async () => {
    const author = await veteran(a, 'fresh_target');
    const c = (await post(author, 'reports-fresh', 'an unpopular opinion')).body.comment;
    const report = (u: TestUser) =>
      request(b.url)
        .post(`/api/comments/${encodeURIComponent(c.id)}/report`)
        .set(auth(u))
        .send({ reason: 'abuse' })
        .expect(200);
    const fresh = await Promise.all(Array.from({ length: 6 }, () => makeUser()));

    for (const u of fresh.slice(0, 3)) await report(u);
    const page = await request(a.url).get('/api/threads/reports-fresh/comments').expect(200);
    expect(
      page.body.comments.map((x: Comment) => x.id),
      'three reports from fresh accounts leave the comment on the page',
    ).toEqual([c.id]);
    expect((await queue('pending', 'reports-fresh')).items, 'nothing held').toEqual([]);

    for (const u of fresh.slice(3, 5)) await report(u);
    expect((await queue('pending', 'reports-fresh')).items, 'five fresh reports are still short of three established ones').toEqual([]);
    expect((await report(fresh[5]!)).body).toEqual({ reported: true, reports: 6 });
    await eventually(async () =>
      expect(
        (await queue('pending', 'reports-fresh')).items.map((i) => i.comment.id),
        'six fresh reports hold it',
      ).toEqual([c.id]),
    );
    expect((await request(a.url).get('/api/threads/reports-fresh/comments')).body.comments).toEqual([]);
  });

  it('weigh established and fresh reports together: two established and two fresh hold a comment', async () => {
    const c = (await post(await veteran(a, 'mixed_target'), 'reports-mixed', 'another opinion')).body.comment;
    const reporters = [await veteran(a, 'mixed_vet_1'), await makeUser(), await veteran(a, 'mixed_vet_2')];
    for (const u of reporters)
      await request(a.url)
        .post(`/api/comments/${encodeURIComponent(c.id)}/report`)
        .set(auth(u))
        .send({ reason: 'spam' })
        .expect(200);
    expect((await queue('pending', 'reports-mixed')).items, 'weight 5 of 6: not held').toEqual([]);
    await request(a.url)
      .post(`/api/comments/${encodeURIComponent(c.id)}/report`)
      .set(auth(await makeUser()))
      .send({ reason: 'spam' })
      .expect(200);
    await eventually(async () => expect((await queue('pending', 'reports-mixed')).items.map((i) => i.comment.id)).toEqual([c.id]));
  });
});

describe('the live feed and the audit log', () => {
  it('streams new comments site-wide, can follow one thread, and keeps who/what/when/why/before/after', async () => {
    const all = await modSocket(mod);
    const one = await modSocket(mod2, b);
    const allEvents: ModEvent[] = [];
    const oneEvents: ModEvent[] = [];
    all.on('mod:event', (e: ModEvent) => allEvents.push(e));
    one.on('mod:event', (e: ModEvent) => oneEvents.push(e));
    expect(((await one.emitWithAck('mod:subscribe', { threadIds: ['feed-b'] })) as { ok: boolean }).ok).toBe(true);

    const u = await makeUser({ handle: 'feed_author' });
    const ca = (await post(u, 'feed-a', 'in thread a')).body.comment;
    const cb = (await post(u, 'feed-b', 'in thread b', b)).body.comment;
    await eventually(() =>
      expect(allEvents.filter((e) => e.type === 'comment').map((e) => e.type === 'comment' && e.comment.id)).toEqual([ca.id, cb.id]),
    );
    await eventually(() =>
      expect(oneEvents.filter((e) => e.type === 'comment').map((e) => e.type === 'comment' && e.comment.id)).toEqual([cb.id]),
    );

    await act(mod2, cb.id, 'reject', b).expect(200);
    const audit = await request(a.url).get('/api/moderation/audit').query({ moderatorId: mod2.id }).set(auth(mod));
    const entry = audit.body.entries.find((e: AuditEntry) => e.target.commentId === cb.id);
    expect(entry).toMatchObject({
      by: { kind: 'user', handle: 'mod_two' },
      action: 'reject',
      before: 'visible',
      after: 'removed',
      target: { threadId: 'feed-b' },
    });
    expect(Date.parse(entry.at)).toBeGreaterThan(Date.now() - 60_000);
    await eventually(() => expect(oneEvents.some((e) => e.type === 'action' && e.entry.id === entry.id)).toBe(true));

    for (const action of ['feature', 'unfeature', 'feature', 'unfeature', 'feature', 'unfeature', 'feature', 'unfeature'])
      await act(mod, ca.id, action).expect(200);
    // Pages of 2 walk the log newest first: ids (stream ids, "<ms>-<seq>") strictly decreasing, none repeated.
    const paged: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 4; page++) {
      const res: { body: { entries: AuditEntry[]; nextCursor: string | null } } = await request(a.url)
        .get('/api/moderation/audit')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(auth(mod))
        .expect(200);
      paged.push(...res.body.entries.map((e) => e.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    const order = (id: string) => id.split('-').map(BigInt) as [bigint, bigint];
    const decreasing = paged.every((id, i) => {
      if (i === 0) return true;
      const [ms, seq] = order(id);
      const [pms, pseq] = order(paged[i - 1]!);
      return ms < pms || (ms === pms && seq < pseq);
    });
    expect(paged.length, 'four pages of two audit entries').toBe(8);
    expect(decreasing, `audit pages newest first with no repeats: ${paged.join(' ')}`).toBe(true);
  });
});
