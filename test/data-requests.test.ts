import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Comment, Notification, UserExport } from '../contract/index.ts';
import { eraseComment } from '../server/usecases/erase-user.ts';
import { processNotify } from '../workers/notify/processor.ts';
import { connectSocket, makeUser, ok, record, type ClientSocket, type TestUser } from './support/clients.ts';
import { keysMatching, startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';
import { signedInUser, veteran } from './support/users.ts';
import { eventually } from './support/wait.ts';

/**
 * GDPR data requests: a user exports their data or erases their account
 * (admins may do either for any user id). Erasure is checked from the
 * outside: the keys left in Redis, what another reader sees on the page and
 * live, and what other users' inboxes still say.
 */

let redis: TestRedis;
let a: TestServer;
let admin: TestUser;
let moderator: TestUser;
const sockets: ClientSocket[] = [];

const user = (handle: string, name?: string): Promise<TestUser> => signedInUser(a, handle, { name });

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

const post = (u: TestUser, threadId: string, body: string, parentId?: string) =>
  request(a.url)
    .post(`/api/threads/${threadId}/comments`)
    .set(auth(u))
    .send({ body, ...(parentId ? { parentId } : {}) })
    .expect(201)
    .then((r) => r.body.comment as Comment);

const notify = (c: Comment) => processNotify(a.app.deps, { threadId: c.threadId, commentId: c.id, reason: 'posted' });

const inbox = (u: TestUser) =>
  request(a.url)
    .get('/api/notifications')
    .set(auth(u))
    .expect(200)
    .then((r) => r.body as { notifications: Notification[]; unread: number });

/** Every key in the test Redis whose name contains `text`. */
const keysContaining = (text: string): Promise<string[]> => keysMatching(redis.client, `*${text}*`);

beforeAll(async () => {
  redis = await startRedis();
  // Workers are not started: each test runs the notify jobs it needs by hand.
  a = await startServer(redis.url, { REDIS_PREFIX: 'dr:', REPORT_HOLD_THRESHOLD: '1' });
  admin = await makeUser({ role: 'admin' });
  moderator = await makeUser({ role: 'moderator' });
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
  await a?.close();
  await redis?.stop();
});

describe('GET /api/me/export', () => {
  it('returns the user’s profile, comments (deleted ones with their text), notifications and preferences; admins may export anyone', async () => {
    const me = await user('export_me', 'Export Me');
    const friend = await user('export_friend');
    const kept = await post(me, 'dr-export', 'my first comment');
    const gone = await post(me, 'dr-export-2', 'EXPORTED-DELETED text I wrote');
    await request(a.url).delete(`/api/comments/${gone.id}`).set(auth(me)).expect(200);
    await notify(await post(friend, 'dr-export', '@export_me hello there'));
    await request(a.url)
      .put('/api/me/preferences')
      .set(auth(me))
      .send({ email: false, mutedThreads: ['muted-one'] })
      .expect(200);

    const res = await request(a.url).get('/api/me/export').set(auth(me)).expect(200);
    const data = res.body as UserExport;
    expect(data.profile).toMatchObject({
      id: me.id,
      handle: 'export_me',
      name: 'Export Me',
      role: 'commenter',
      email: 'export_me@example.com',
    });
    expect(data.comments.map((c) => [c.id, c.status, c.body])).toEqual([
      [kept.id, 'visible', 'my first comment'],
      [gone.id, 'deleted', 'EXPORTED-DELETED text I wrote'],
    ]);
    expect(data.notifications.map((n) => [n.kind, n.comment.body])).toEqual([['mention', '@export_me hello there']]);
    expect(data.preferences).toEqual({ email: false, webhook: true, mutedThreads: ['muted-one'], blockedUsers: [] });

    const byAdmin = await request(a.url)
      .get(`/api/admin/users/${encodeURIComponent(me.id)}/export`)
      .set(auth(admin))
      .expect(200);
    expect({ ...byAdmin.body, exportedAt: null }, 'the admin’s export of the same user').toEqual({ ...data, exportedAt: null });
    expect((await request(a.url).get('/api/admin/users/nobody-at-all/export').set(auth(admin))).status, 'export of an unknown user').toBe(
      404,
    );
  });

  it('admin variants are refused to commenters and moderators, and everything needs a sign-in', async () => {
    const victim = await user('admin_only_victim');
    const other = await user('admin_only_other');
    await post(victim, 'dr-refused', 'still here afterwards');
    for (const u of [other, moderator]) {
      const exp = await request(a.url).get(`/api/admin/users/${victim.id}/export`).set(auth(u));
      expect([exp.status, exp.body.error?.code], `export by a ${u.role}`).toEqual([403, 'forbidden']);
      const del = await request(a.url).delete(`/api/admin/users/${victim.id}`).set(auth(u));
      expect([del.status, del.body.error?.code], `erase by a ${u.role}`).toEqual([403, 'forbidden']);
    }
    expect((await request(a.url).get('/api/me/export')).status).toBe(401);
    expect((await request(a.url).delete('/api/me')).status).toBe(401);
    expect((await request(a.url).delete(`/api/admin/users/${victim.id}`)).status).toBe(401);
    expect(
      (await request(a.url).get('/api/threads/dr-refused/comments').expect(200)).body.comments.map((c: Comment) => c.body),
      'the victim’s comment',
    ).toEqual(['still here afterwards']);
    expect(await redis.client.exists(a.app.deps.store.keys.user.record(victim.id)), 'the victim’s user record').toBe(1);
  });
});

describe('DELETE /api/me', () => {
  it('turns every comment into a deleted tombstone (page, live event), clears other users’ inboxes, leaves the participants, and deletes every key of the user', async () => {
    const victim = await user('erase_victim', 'Victoria Erasable');
    const bystander = await user('erase_bystander');
    const reporter = await veteran(a, 'erase_reporter', { signIn: true });
    const { keys } = a.app.deps.store;

    const parent = await post(bystander, 'dr-erase', 'a comment the victim replies to');
    const mention = await post(victim, 'dr-erase', '@erase_bystander ERASE-SECRET-ONE see this');
    const reply = await post(victim, 'dr-erase', 'ERASE-SECRET-TWO a reply', parent.id);
    const held = await post(victim, 'dr-erase-2', 'ERASE-SECRET-HELD reported and held');
    const deletedBefore = await post(victim, 'dr-erase', 'ERASE-SECRET-DELETED deleted before');
    await request(a.url).delete(`/api/comments/${deletedBefore.id}`).set(auth(victim)).expect(200);
    await request(a.url).post(`/api/comments/${held.id}/report`).set(auth(reporter)).send({ reason: 'abuse' }).expect(200);
    for (const c of [mention, reply]) await notify(c);
    // (Elsewhere: other users' comments that mention the victim keep their own text.)
    await notify(await post(bystander, 'dr-erase-3', '@erase_victim a mention for the victim’s own inbox'));
    await request(a.url).put('/api/me/preferences').set(auth(victim)).send({ webhook: false }).expect(200);
    await a.app.deps.store.notifications.markEmailSent(victim.id, 'n_some_message');
    expect((await inbox(bystander)).notifications.map((n) => n.comment.id).sort(), 'the bystander’s inbox before').toEqual(
      [mention.id, reply.id].sort(),
    );
    const pendingBefore = await request(a.url).get('/api/moderation/queues/pending').set(auth(moderator)).expect(200);
    expect(pendingBefore.body.items.map((i: { comment: Comment }) => i.comment.id)).toContain(held.id);

    // The victim's name, handle (as a whole JSON string: their id contains it) and words.
    const TRACES = /Victoria|"erase_victim"|ERASE-SECRET/;
    const reader = await connectSocket(a.url);
    sockets.push(reader);
    await ok(reader, 'thread:join', { threadId: 'dr-erase' });
    const live = record(reader, 'thread:event');
    const removedLive = () => live.seen.filter((e) => e.type === 'comment.removed');

    // An earlier erasure crashed after its first comment: that one is done, nothing else is.
    expect(await eraseComment(a.app.deps, victim.id, mention.id), 'the first comment, erased before the crash').toBe(true);
    const res = await request(a.url).delete('/api/me').set(auth(victim)).expect(200);
    expect(res.body, 'the erasure’s answer: the reply and the held comment (the first was done, one was deleted before)').toEqual({
      userId: victim.id,
      erasedComments: 2,
    });

    // Another reader: live, the two visible comments leave with no text and no name.
    await eventually(() =>
      expect(
        removedLive()
          .map((e) => e.comment.id)
          .sort(),
        'comment.removed events',
      ).toEqual([mention.id, reply.id].sort()),
    );
    for (const e of removedLive()) {
      expect(e.comment, 'live tombstone').toMatchObject({ status: 'deleted', body: '', mentions: [] });
      expect(JSON.stringify(e), 'live tombstone carries no name').not.toMatch(TRACES);
    }
    // On the page: only the bystander's comments, and nothing of the victim anywhere in it.
    const page = await request(a.url).get('/api/threads/dr-erase/comments').expect(200);
    for (const c of page.body.comments as Comment[]) {
      if (c.id === mention.id || c.id === reply.id || c.id === deletedBefore.id) expect(c).toMatchObject({ status: 'deleted', body: '' });
      else expect(c.author?.id).toBe(bystander.id);
    }
    expect(JSON.stringify(page.body), 'the thread page').not.toMatch(TRACES);
    // Every comment's record is a deleted tombstone, the held one included, and it left the moderators' queue.
    for (const c of [mention, reply, held, deletedBefore]) {
      const [status, body, name, handle, mentions] = await redis.client.hmget(
        keys.thread.comment(c.threadId, c.id),
        'status',
        'body',
        'authorName',
        'authorHandle',
        'mentions',
      );
      expect({ status, body, name, handle, mentions }, `the stored comment ${c.body}`).toEqual({
        status: 'deleted',
        body: '',
        name: '',
        handle: '',
        mentions: '[]',
      });
    }
    const pendingAfter = await request(a.url).get('/api/moderation/queues/pending').set(auth(moderator)).expect(200);
    expect(
      pendingAfter.body.items.map((i: { comment: Comment }) => i.comment.id),
      'the pending queue',
    ).not.toContain(held.id);

    // Other users: the bystander's inbox no longer holds the victim's words or name, not even stored.
    const after = await inbox(bystander);
    expect(after.notifications, 'the bystander’s inbox after').toEqual([]);
    expect(after.unread).toBe(0);
    expect(
      JSON.stringify(await redis.client.hgetall(keys.notifications.records(bystander.id))),
      'stored notifications of the bystander',
    ).not.toMatch(TRACES);
    const participants = await request(a.url).get('/api/threads/dr-erase/participants').set(auth(bystander)).expect(200);
    expect(
      participants.body.users.map((u: { id: string }) => u.id),
      'participants',
    ).not.toContain(victim.id);
    expect(await redis.client.zscore(keys.thread.participants('dr-erase'), victim.id)).toBeNull();

    // The victim's own keys are gone, and so is their handle.
    // All but the erasure marker, which holds only the erasure time (refuses their older tokens; expires).
    expect(await keysContaining(victim.id), 'keys named after the victim').toEqual([keys.user.erased(victim.id)]);
    expect(await redis.client.get(keys.user.erased(victim.id)), 'the erasure marker').toMatch(/^\d+$/);
    expect(await redis.client.hget(keys.user.handles, 'erase_victim'), 'the handle index').toBeNull();
    expect(await redis.client.zscore(keys.user.handlesLex, 'erase_victim'), 'the handle prefix index').toBeNull();
    const names = await redis.client.zrange(keys.user.names, 0, -1);
    expect(
      names.filter((m) => m.endsWith(`\0${victim.id}`)),
      'the display-name index (look-alike check)',
    ).toEqual([]);

    // Moderation keeps one audit entry for the erasure, by id, without the name.
    const audit = await request(a.url).get('/api/moderation/audit').set(auth(moderator)).expect(200);
    const erasure = (audit.body.entries as AuditEntry[]).find((e) => e.action === 'erase' && e.target.userId === victim.id);
    expect(erasure, 'the audit entry of the erasure').toMatchObject({ by: { kind: 'system', name: 'data_request' } });
    expect(JSON.stringify(audit.body)).not.toMatch(TRACES);

    // A retry (or the admin doing it again) finds nothing left to do.
    expect(
      (
        await request(a.url)
          .delete(`/api/admin/users/${encodeURIComponent(victim.id)}`)
          .set(auth(admin))
          .expect(200)
      ).body,
    ).toEqual({
      userId: victim.id,
      erasedComments: 0,
    });
  });

  it('an admin can erase another user by id', async () => {
    const victim = await user('admin_erased', 'Adam Erased');
    const c = await post(victim, 'dr-admin-erase', 'ADMIN-ERASE-SECRET words');
    const res = await request(a.url)
      .delete(`/api/admin/users/${encodeURIComponent(victim.id)}`)
      .set(auth(admin))
      .expect(200);
    expect(res.body).toEqual({ userId: victim.id, erasedComments: 1 });
    expect(await redis.client.hget(a.app.deps.store.keys.thread.comment(c.threadId, c.id), 'status')).toBe('deleted');
    expect(await keysContaining(victim.id), 'keys named after the victim (but the erasure marker)').toEqual([
      a.app.deps.store.keys.user.erased(victim.id),
    ]);
    const audit = await request(a.url).get('/api/moderation/audit').set(auth(moderator)).expect(200);
    expect((audit.body.entries as AuditEntry[]).find((e) => e.action === 'erase' && e.target.userId === victim.id)?.by).toMatchObject({
      kind: 'user',
      id: admin.id,
    });
    await eventually(async () =>
      expect(JSON.stringify((await request(a.url).get('/api/threads/dr-admin-erase/comments')).body)).not.toContain('ADMIN-ERASE-SECRET'),
    );
  });
});
