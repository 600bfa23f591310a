import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueuePageSchema, type AuditEntry, type Comment, type ModEvent } from '../contract/index.ts';
import { makeUser, moderationSocket, type TestUser } from './support/clients.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';
import { veteran } from './support/users.ts';
import { eventually } from './support/wait.ts';

// What follows each write (server/usecases/follow-up.ts): the moderators' feed in order, the audit log, and the error policy.
const PREFIX = 'fu:';
let redis: TestRedis;
let a: TestServer;
let mod: TestUser;
let admin: TestUser;
const cleanup: (() => void)[] = [];

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });
const post = (u: TestUser, threadId: string, body: string) =>
  request(a.url).post(`/api/threads/${threadId}/comments`).set(auth(u)).send({ body });
const act = (commentId: string, action: string) =>
  request(a.url)
    .post(`/api/moderation/comments/${encodeURIComponent(commentId)}/${action}`)
    .set(auth(mod))
    .send({});
const audit = async (threadId: string) =>
  (
    (await request(a.url).get('/api/moderation/audit').query({ threadId }).set(auth(mod)).expect(200)).body.entries as AuditEntry[]
  ).reverse();

/** The moderators' feed as short labels, queue counts left out (they are debounced, so their place varies). */
async function feed(): Promise<string[]> {
  const labels: string[] = [];
  const s = await moderationSocket(a.url, mod.token, (socket) =>
    socket.on('mod:event', (e: ModEvent) => {
      if (e.type === 'comment') labels.push(`comment ${e.change} ${e.comment.status}`);
      else if (e.type === 'action') labels.push(`action ${e.entry.action}`);
      else if (e.type !== 'queues') labels.push(e.type);
    }),
  );
  cleanup.push(() => s.disconnect());
  return labels;
}

async function failures(effect: string): Promise<number> {
  const text = (await request(a.url).get('/metrics').expect(200)).text;
  return Number(new RegExp(`^threadline_follow_up_failures_total\\{effect="${effect}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

beforeAll(async () => {
  redis = await startRedis();
  a = await startServer(redis.url, { REDIS_PREFIX: PREFIX });
  mod = await makeUser({ handle: 'fu_mod', role: 'moderator' });
  admin = await makeUser({ handle: 'fu_admin', role: 'admin' });
});

afterEach(async () => {
  for (const c of cleanup.splice(0)) c();
});

afterAll(async () => {
  await a?.close();
  await redis?.stop();
});

describe('the follow-ups of a write', () => {
  it('reach the moderators’ feed in the order of the writes and, within one, in a fixed order; the audit log has one entry per decision', async () => {
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(auth(admin))
      .send({ banned: ['scumbag'], suspect: ['moron'] })
      .expect(200);
    const events = await feed();
    const u = await makeUser();
    const reporter = await veteran(a, 'fu_reporter');

    const held = (await post(u, 'fu', 'you moron').expect(201)).body.comment as Comment;
    const fine = (await post(u, 'fu', 'a fine remark').expect(201)).body.comment as Comment;
    await request(a.url)
      .patch(`/api/comments/${encodeURIComponent(fine.id)}`)
      .set(auth(u))
      .send({ body: 'a fine moron' })
      .expect(200);
    await act(held.id, 'reject').expect(200);
    await act(fine.id, 'approve').expect(200);
    expect((await post(u, 'fu', 'scumbag')).status, 'a banned term refuses the post').toBe(400);
    await request(a.url)
      .post(`/api/comments/${encodeURIComponent(fine.id)}/report`)
      .set(auth(reporter))
      .send({ reason: 'spam' })
      .expect(200);
    await request(a.url).patch('/api/moderation/threads/fu').set(auth(mod)).send({ locked: true }).expect(200);

    const expected = [
      ...['comment created pending', 'action hold'],
      'comment created visible',
      ...['comment edited pending', 'hold', 'action hold'],
      'action reject',
      'action approve',
      'action refuse',
      'report',
      'action thread_settings',
    ];
    await eventually(() => expect(events, 'every feed event, in the order the writes were made').toHaveLength(expected.length));
    expect(events, 'the moderators’ feed, write by write').toEqual(expected);
    expect(
      (await audit('fu')).map((e) => [e.action, e.before, e.after]),
      'the audit log, oldest first',
    ).toEqual([
      ['hold', null, 'pending'],
      ['hold', 'visible', 'pending'],
      ['reject', 'pending', 'removed'],
      ['approve', 'pending', 'visible'],
      ['refuse', null, null],
      ['thread_settings', null, null],
    ]);
    await request(a.url).put('/api/moderation/wordlists').set(auth(admin)).send({ banned: [], suspect: [] }).expect(200);
  });

  it('all run when one fails; the failure is logged and counted by effect, and a failed record fails the call as before', async () => {
    await request(a.url).patch('/api/moderation/threads/fu-broken').set(auth(mod)).send({ premod: true }).expect(200);
    const events = await feed();
    const before = await failures('decision');
    // The audit log cannot be written: XADD to a string is WRONGTYPE.
    const auditKey = `${PREFIX}{m}:audit`;
    const savedKey = `${auditKey}:saved`;
    const saved = (await redis.client.exists(auditKey)) === 1;
    if (saved) await redis.client.rename(auditKey, savedKey);
    await redis.client.set(auditKey, 'not a stream');
    try {
      const u = await makeUser();
      const res = await post(u, 'fu-broken', 'please let me in');
      expect(res.status, 'the audit entry of the hold is a record: the call fails with it').toBe(500);
      expect(await failures('decision'), 'the failed audit entry is counted under its effect').toBe(before + 1);
      const pending = QueuePageSchema.parse(
        (await request(a.url).get('/api/moderation/queues/pending').query({ threadId: 'fu-broken' }).set(auth(mod)).expect(200)).body,
      );
      expect(
        pending.items.map((i) => i.comment.author.id),
        'the comment is stored and still queued for review',
      ).toEqual([u.id]);
      await eventually(() => expect(events, 'the feed still heard of the comment').toContain('comment created pending'));
    } finally {
      await redis.client.del(auditKey);
      if (saved) await redis.client.rename(savedKey, auditKey);
    }
  });

  it('are not cut short by an earlier one failing: an approval whose author counter fails is still audited and on the feed', async () => {
    await request(a.url).patch('/api/moderation/threads/fu-counter').set(auth(mod)).send({ premod: true }).expect(200);
    const u = await makeUser();
    const c = (await post(u, 'fu-counter', 'let me in').expect(201)).body.comment as Comment;
    const events = await feed();
    const before = await failures('user');
    // The author's approved-comments counter cannot be incremented: HINCRBY on a string is WRONGTYPE.
    const recordKey = a.app.deps.store.keys.user.record(u.id);
    await redis.client.rename(recordKey, `${recordKey}:saved`);
    await redis.client.set(recordKey, 'not a hash');
    try {
      expect((await act(c.id, 'approve')).status, 'the counter is a record: the call fails with it').toBe(500);
      expect(await failures('user'), 'the failed counter is counted under its effect').toBe(before + 1);
      const actions = (await audit('fu-counter')).map((e) => e.action);
      expect(actions, 'the approval is audited all the same').toEqual(['thread_settings', 'hold', 'approve']);
      await eventually(() => expect(events, 'and moderators hear of it').toContain('action approve'));
    } finally {
      await redis.client.del(recordKey);
      await redis.client.rename(`${recordKey}:saved`, recordKey);
    }
  });
});
