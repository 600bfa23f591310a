import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../contract/index.ts';
import { processDigest } from '../workers/digest/processor.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { processNotify } from '../workers/notify/processor.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import { queuesIdle } from './support/queues.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';
import { TestSmtp } from './support/smtp.ts';
import { signedInUser, veteran } from './support/users.ts';
import { eventually } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

/**
 * A notification is a copy of a comment made when the comment was new. These
 * tests change the comment afterwards (its author deletes it, a moderator
 * removes it, reports hold it, its author edits it) and check that no path
 * still shows or sends the old copy: the inbox, email, webhook (also a retry)
 * and the digest. Workers run only where a test starts them, so a test
 * decides what was queued before the change.
 */

const WEBHOOK_SECRET = 'whsec_' + Buffer.from('privacy-webhook-secret-0123456789').toString('base64');

let redis: TestRedis;
let smtp: TestSmtp;
let hooks: WebhookReceiver;
let a: TestServer;
let moderator: TestUser;
let workers: RunningWorkers | undefined;

const user = (handle: string): Promise<TestUser> => signedInUser(a, handle);

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

const post = (u: TestUser, threadId: string, body: string) =>
  request(a.url)
    .post(`/api/threads/${threadId}/comments`)
    .set(auth(u))
    .send({ body })
    .expect(201)
    .then((r) => r.body.comment);

const inbox = (u: TestUser) =>
  request(a.url)
    .get('/api/notifications')
    .set(auth(u))
    .expect(200)
    .then((r) => r.body as { notifications: Notification[]; unread: number });

/** The comment's notify job, run here and now (as a worker would), so its inbox entries and delivery jobs exist. */
const notify = (comment: { threadId: string; id: string }) =>
  processNotify(a.app.deps, { threadId: comment.threadId, commentId: comment.id, reason: 'posted' });

/** Runs the workers until every notify, email and webhook job queued so far has run. */
async function runWorkers(): Promise<void> {
  workers = await startWorkers(a.app.deps);
  const { queues } = a.app.deps;
  await queuesIdle([queues.notify, queues.email, queues.webhook], 15_000);
}

const hooksFor = (u: TestUser) => hooks.received.filter((h) => JSON.parse(h.body).recipient?.id === u.id);

beforeAll(async () => {
  redis = await startRedis();
  smtp = new TestSmtp();
  await smtp.start();
  hooks = new WebhookReceiver(WEBHOOK_SECRET);
  await hooks.start();
  a = await startServer(redis.url, {
    REDIS_PREFIX: 'pn:',
    SMTP_URL: smtp.url,
    NOTIFY_WEBHOOK_URL: hooks.url,
    NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    NOTIFY_ATTEMPTS: '3',
    // Long enough that the test acts between a failed attempt and its retry.
    NOTIFY_BACKOFF_MS: '1500',
    // One message per recipient now, the rest wait for the window's digest (run by hand here).
    NOTIFY_MAX_PER_WINDOW: '1',
    NOTIFY_WINDOW_SECONDS: '600',
    REPORT_HOLD_THRESHOLD: '1',
    WORKER_LOCK_MS: '2000',
  });
  moderator = await makeUser({ role: 'moderator' });
});

afterEach(async () => {
  await workers?.close();
  workers = undefined;
  hooks.respond = () => 204;
});

afterAll(async () => {
  await workers?.close();
  await a?.close();
  await smtp?.stop();
  await hooks?.stop();
  await redis?.stop();
});

describe('the inbox re-reads each comment when it is listed', () => {
  it('no longer shows a mention whose comment was deleted by its author, removed by a moderator or held after a report; the unread count follows', async () => {
    const target = await user('inbox_target');
    const author = await user('inbox_author');
    const reporter = await veteran(a, 'inbox_reporter', { signIn: true });
    const deleted = await post(author, 'pn-inbox', '@inbox_target SECRET-DELETED my address is 1 Elm St');
    const removed = await post(author, 'pn-inbox', '@inbox_target SECRET-REMOVED an insult');
    const held = await post(author, 'pn-inbox', '@inbox_target SECRET-HELD reported text');
    const kept = await post(author, 'pn-inbox', '@inbox_target still here');
    for (const c of [deleted, removed, held, kept]) await notify(c);
    const before = await inbox(target);
    expect(before.notifications.map((n) => n.comment.id).sort(), 'inbox before the changes: all four').toEqual(
      [deleted.id, removed.id, held.id, kept.id].sort(),
    );
    expect(before.unread).toBe(4);

    await request(a.url).delete(`/api/comments/${deleted.id}`).set(auth(author)).expect(200);
    await request(a.url).post(`/api/moderation/comments/${removed.id}/reject`).set(auth(moderator)).send({}).expect(200);
    await request(a.url).post(`/api/comments/${held.id}/report`).set(auth(reporter)).send({ reason: 'abuse' }).expect(200);
    const afterwards = (await request(a.url).get(`/api/threads/pn-inbox/comments`).expect(200)).body.comments.map(
      (c: { id: string }) => c.id,
    );
    expect(afterwards, 'the thread shows only the kept comment (the report held the other)').toEqual([kept.id]);

    const after = await inbox(target);
    const text = JSON.stringify(after);
    for (const secret of ['SECRET-DELETED', 'SECRET-REMOVED', 'SECRET-HELD'])
      expect(text, `the inbox still carries ${secret}`).not.toContain(secret);
    expect(
      after.notifications.map((n) => n.comment.id),
      'inbox after the changes: only the comment still visible',
    ).toEqual([kept.id]);
    expect(after.unread, 'unread count: only what the inbox can show').toBe(1);
  });

  it('shows an edited comment’s current text, not the copy made at notify time', async () => {
    const target = await user('edit_target');
    const author = await user('edit_author');
    const c = await post(author, 'pn-edit', '@edit_target OLD-TEXT before the edit');
    await notify(c);
    await request(a.url)
      .patch(`/api/comments/${c.id}`)
      .set(auth(author))
      .send({ body: '@edit_target NEW-TEXT after the edit' })
      .expect(200);
    const [n] = (await inbox(target)).notifications;
    expect(n?.comment.body, 'the inbox entry’s body').toBe('@edit_target NEW-TEXT after the edit');
  });
});

describe('email and webhook are rendered when they are sent', () => {
  it('a message queued before its comment was removed is dropped; one about a visible comment still goes out, with the text as edited since', async () => {
    const gone = await user('mail_gone');
    const edited = await user('mail_edited');
    const author = await user('mail_author');
    const removed = await post(author, 'pn-mail', '@mail_gone SECRET-MAIL-REMOVED');
    const changed = await post(author, 'pn-mail', '@mail_edited OLD-MAIL-TEXT');
    // The deliveries are queued (no worker is running: as if the SMTP server and receiver were slow) ...
    await notify(removed);
    await notify(changed);
    // ... then the comment is removed and the other edited, and only then do the workers deliver.
    await request(a.url).post(`/api/moderation/comments/${removed.id}/reject`).set(auth(moderator)).send({}).expect(200);
    await request(a.url).patch(`/api/comments/${changed.id}`).set(auth(author)).send({ body: '@mail_edited NEW-MAIL-TEXT' }).expect(200);
    await runWorkers();

    expect(smtp.to('mail_edited@example.com'), 'emails about the visible comment').toHaveLength(1);
    const mail = smtp.to('mail_edited@example.com')[0]!.parsed;
    expect(mail.text).toContain('NEW-MAIL-TEXT');
    expect(mail.text).not.toContain('OLD-MAIL-TEXT');
    expect(
      hooksFor(edited).map((h) => JSON.parse(h.body).notification.comment.body),
      'webhooks about the visible comment',
    ).toEqual(['@mail_edited NEW-MAIL-TEXT']);

    expect(smtp.to('mail_gone@example.com'), 'emails about the removed comment').toEqual([]);
    expect(hooksFor(gone), 'webhooks about the removed comment').toEqual([]);
    expect(JSON.stringify(smtp.received.map((m) => m.parsed.text)) + JSON.stringify(hooks.received.map((h) => h.body))).not.toContain(
      'SECRET-MAIL-REMOVED',
    );
  });

  it('a webhook retry after its comment was deleted sends nothing', async () => {
    const target = await user('retry_target');
    const author = await user('retry_author');
    const c = await post(author, 'pn-retry', '@retry_target SECRET-RETRY');
    hooks.respond = (body) => (JSON.parse(body).recipient?.id === target.id ? 503 : 204);
    await notify(c);
    workers = await startWorkers(a.app.deps);
    await eventually(() => expect(hooksFor(target), 'the first, refused attempt').toHaveLength(1), 8_000);
    hooks.respond = () => 204;
    await request(a.url).delete(`/api/comments/${c.id}`).set(auth(author)).expect(200);
    const { queues } = a.app.deps;
    await queuesIdle([queues.notify, queues.webhook], 15_000);
    expect(
      hooksFor(target).map((h) => h.status),
      'attempts after the delete (the retry must not be sent)',
    ).toEqual([503]);
  });
});

describe('digests', () => {
  it('leave out items whose comment was removed, and are not sent when nothing is left', async () => {
    const target = await user('digest_target');
    const quiet = await user('digest_quiet');
    const author = await user('digest_author');
    const { queues, store } = a.app.deps;
    // The first mention of each recipient goes out at once; the others wait for the window's digest.
    const first = await post(author, 'pn-digest', '@digest_target @digest_quiet first');
    const removed = await post(author, 'pn-digest', '@digest_target SECRET-DIGEST-REMOVED');
    const kept = await post(author, 'pn-digest-2', '@digest_target KEPT-DIGEST-TEXT');
    const quietOnly = await post(author, 'pn-digest', '@digest_quiet SECRET-DIGEST-ONLY');
    for (const c of [first, removed, kept, quietOnly]) await notify(c);
    await request(a.url).post(`/api/moderation/comments/${removed.id}/reject`).set(auth(moderator)).send({}).expect(200);
    await request(a.url).delete(`/api/comments/${quietOnly.id}`).set(auth(author)).expect(200);

    // The windows' digests, run now rather than in ten minutes.
    for (const u of [target, quiet]) {
      const { ids } = await store.notifications.digestItems(u.id, Number.MAX_SAFE_INTEGER);
      expect(ids.length, `held-back items of ${u.handle}`).toBeGreaterThan(0);
      const job = (await queues.digest.getDelayed()).find((j) => j.data.recipientId === u.id);
      expect(job, `the digest job of ${u.handle}`).toBeDefined();
      await processDigest(a.app.deps, job!.data);
    }
    await runWorkers();

    const mails = smtp.to('digest_target@example.com');
    expect(
      mails.map((m) => m.parsed.subject),
      'emails to digest_target: the first mention, then a digest of one',
    ).toEqual([expect.stringContaining('mentioned you'), '1 more mention or reply in 1 thread']);
    expect(String(mails[1]!.parsed.html)).toContain('KEPT-DIGEST-TEXT');
    const digestHook = hooksFor(target)
      .map((h) => JSON.parse(h.body))
      .find((p) => p.type === 'digest');
    expect(
      digestHook?.notifications.map((n: Notification) => n.comment.id),
      'the digest webhook’s items',
    ).toEqual([kept.id]);
    expect(smtp.to('digest_quiet@example.com'), 'emails to digest_quiet: the first mention only, no empty digest').toHaveLength(1);
    expect(
      hooksFor(quiet).map((h) => JSON.parse(h.body).type),
      'webhooks to digest_quiet',
    ).toEqual(['notification']);
    const everything =
      JSON.stringify(smtp.received.map((m) => [m.parsed.text, m.parsed.html])) + JSON.stringify(hooks.received.map((h) => h.body));
    expect(everything).not.toContain('SECRET-DIGEST');
  });
});
