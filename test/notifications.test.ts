import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookPayloadSchema, type Notification } from '../contract/index.ts';
import { processDigest } from '../workers/digest/processor.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { processNotify } from '../workers/notify/processor.ts';
import { connectSocket, makeUser, record, type ClientSocket, type TestUser } from './support/clients.ts';
import { queueIdle, queuesIdle } from './support/queues.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';
import { TestSmtp } from './support/smtp.ts';
import { signedInUser } from './support/users.ts';
import { eventually } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const WEBHOOK_SECRET = 'whsec_' + Buffer.from('a-webhook-secret-for-tests-0123456789').toString('base64');
const PREFIX = 'nt:';

let redis: TestRedis;
let smtp: TestSmtp;
let hooks: WebhookReceiver;
let a: TestServer;
let b: TestServer;
let workers: RunningWorkers;
const sockets: ClientSocket[] = [];

const user = (handle: string, opts: { email?: boolean } = {}): Promise<TestUser> => signedInUser(a, handle, opts);

const post = (u: TestUser, threadId: string, body: string, parentId?: string) =>
  request(a.url)
    .post(`/api/threads/${threadId}/comments`)
    .set('Authorization', `Bearer ${u.token}`)
    .send({ body, ...(parentId ? { parentId } : {}) })
    .expect(201)
    .then((r) => r.body.comment);

const inbox = (u: TestUser) =>
  request(b.url)
    .get('/api/notifications')
    .set('Authorization', `Bearer ${u.token}`)
    .expect(200)
    .then((r) => r.body);

async function socketOnB(u: TestUser): Promise<ClientSocket> {
  const s = await connectSocket(b.url, u.token);
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  redis = await startRedis();
  smtp = new TestSmtp();
  await smtp.start();
  hooks = new WebhookReceiver(WEBHOOK_SECRET);
  await hooks.start();
  const env = {
    REDIS_PREFIX: PREFIX,
    SMTP_URL: smtp.url,
    NOTIFY_WEBHOOK_URL: hooks.url,
    NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    NOTIFY_ATTEMPTS: '3',
    NOTIFY_BACKOFF_MS: '50',
    NOTIFY_WINDOW_SECONDS: '3',
    WORKER_LOCK_MS: '2000',
  };
  a = await startServer(redis.url, env);
  b = await startServer(redis.url, env);
  workers = await startWorkers(a.app.deps);
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
  hooks.respond = () => 204;
});

afterAll(async () => {
  await workers?.close();
  await a?.close();
  await b?.close();
  await smtp?.stop();
  await hooks?.stop();
  await redis?.stop();
});

describe('mentions and replies', () => {
  it('give the mentioned user one inbox entry and a live notification on another instance; the author and unknown handles get nothing', async () => {
    const author = await user('poster_one');
    const rock = await user('rock_fan');
    const tab = await socketOnB(rock);
    const live = record(tab, 'notification');
    const authorTab = await socketOnB(author);
    const authorLive = record(authorTab, 'notification');

    const comment = await post(author, 'n-thread-1', `@rock_fan @poster_one @nobody_at_all what do you think?`);
    await live.waitFor(1);
    expect(live.seen[0]).toMatchObject({
      kind: 'mention',
      comment: { id: comment.id },
      thread: { id: 'n-thread-1' },
      read: false,
      unread: 1,
    });
    const box = await inbox(rock);
    expect(box.unread).toBe(1);
    expect(box.notifications).toHaveLength(1);
    expect(box.notifications[0]).toMatchObject({ kind: 'mention', comment: { id: comment.id, body: comment.body }, read: false });
    expect((await inbox(author)).notifications).toEqual([]);
    // No live notification for the author either. Once the comment's notify job has finished, whatever it
    // published is in Redis; a notification for the author published after that (the marker) travels the
    // same way to the same tab and arrives after it, so once the marker is there it must be the only one.
    const counts = await queueIdle(a.app.deps.queues.notify);
    expect(counts.failed, `failed notify jobs: ${JSON.stringify(counts)}`).toBe(0);
    const marker = await post(rock, 'n-thread-1', '@poster_one a later mention, as a marker');
    await eventually(() =>
      expect(
        authorLive.seen.map((n) => n.comment.id),
        'live notifications on the author’s tab (waiting for the marker)',
      ).toContain(marker.id),
    );
    expect(
      authorLive.seen.map((n) => n.comment.id),
      'live notifications on the author’s tab: only the marker, none for their own comment',
    ).toEqual([marker.id]);
  });

  it('tell the parent comment’s author about a reply (once, even when also mentioned)', async () => {
    const op = await user('original_poster');
    const replier = await user('the_replier');
    const parent = await post(op, 'n-thread-2', 'A first comment');
    await post(replier, 'n-thread-2', 'I disagree, @original_poster', parent.id);
    await eventually(async () => expect((await inbox(op)).notifications).toHaveLength(1));
    expect((await inbox(op)).notifications[0].kind).toBe('reply');
    // Replying to yourself notifies nobody.
    await post(op, 'n-thread-2', 'Replying to myself', parent.id);
    // A reply always gets a notify job (queued before the 201); once it has run, the inbox is final.
    const counts = await queueIdle(a.app.deps.queues.notify);
    expect(counts.failed, `failed notify jobs: ${JSON.stringify(counts)}`).toBe(0);
    expect((await inbox(op)).notifications).toHaveLength(1);
  });

  it('skip users who muted the thread or blocked the author', async () => {
    const author = await user('loud_author');
    const muter = await user('muter');
    const blocker = await user('blocker');
    const listener = await user('listener');
    await request(a.url)
      .put('/api/me/preferences')
      .set('Authorization', `Bearer ${muter.token}`)
      .send({ mutedThreads: ['n-thread-3'] })
      .expect(200);
    await request(a.url)
      .put('/api/me/preferences')
      .set('Authorization', `Bearer ${blocker.token}`)
      .send({ blockedUsers: [author.id] })
      .expect(200);
    await post(author, 'n-thread-3', '@muter @blocker @listener hello all');
    await eventually(async () => expect((await inbox(listener)).notifications).toHaveLength(1));
    expect((await inbox(muter)).notifications).toEqual([]);
    expect((await inbox(blocker)).notifications).toEqual([]);
  });
});

describe('inbox API and live badge', () => {
  it('pages newest first, marks read by id or all, and pushes the unread count to every tab', async () => {
    const author = await user('badge_author');
    const reader = await user('badge_reader', { email: false });
    for (let i = 0; i < 3; i++) await post(author, `n-badge-${i}`, `@badge_reader number ${i}`);
    await eventually(async () => expect((await inbox(reader)).unread).toBe(3));

    const first = await request(b.url).get('/api/notifications?limit=2').set('Authorization', `Bearer ${reader.token}`).expect(200);
    expect(first.body.notifications.map((n: Notification) => n.thread.id)).toEqual(['n-badge-2', 'n-badge-1']);
    const second = await request(b.url)
      .get(`/api/notifications?limit=2&cursor=${first.body.nextCursor}`)
      .set('Authorization', `Bearer ${reader.token}`);
    expect(second.body.notifications.map((n: Notification) => n.thread.id)).toEqual(['n-badge-0']);
    expect(second.body.nextCursor).toBeNull();

    const tabs = [await socketOnB(reader), await connectSocket(a.url, reader.token)];
    sockets.push(tabs[1]!);
    const counts = tabs.map((t) => record(t, 'notifications:unread'));
    const read = await request(a.url)
      .post('/api/notifications/read')
      .set('Authorization', `Bearer ${reader.token}`)
      .send({ ids: [first.body.notifications[0].id] });
    expect(read.body).toEqual({ unread: 2 });
    for (const c of counts) await eventually(() => expect(c.seen.at(-1)).toEqual({ unread: 2 }));
    const all = await request(a.url).post('/api/notifications/read').set('Authorization', `Bearer ${reader.token}`).send({ all: true });
    expect(all.body).toEqual({ unread: 0 });
    for (const c of counts) await eventually(() => expect(c.seen.at(-1)).toEqual({ unread: 0 }));
    const allRead = (await inbox(reader)).notifications as Notification[];
    expect(allRead.map((n) => ({ id: n.id, read: n.read }))).toEqual(allRead.map((n) => ({ id: n.id, read: true })));
  });

  it('sends the unread count on connect', async () => {
    const author = await user('connect_author');
    const reader = await user('connect_reader');
    await post(author, 'n-connect', '@connect_reader hi');
    await eventually(async () => expect((await inbox(reader)).unread).toBe(1));
    const s = await connectSocket(b.url, reader.token);
    sockets.push(s);
    const counts = record(s, 'notifications:unread');
    await eventually(() => expect(counts.seen).toEqual([{ unread: 1 }]));
  });

  it('validates requests and requires sign-in', async () => {
    const u = await user('validator');
    expect((await request(a.url).get('/api/notifications')).status).toBe(401);
    expect((await request(a.url).post('/api/notifications/read').set('Authorization', `Bearer ${u.token}`).send({})).status).toBe(400);
    expect(
      (await request(a.url).post('/api/notifications/read').set('Authorization', `Bearer ${u.token}`).send({ all: false })).status,
    ).toBe(400);
    expect((await request(a.url).get('/api/notifications?limit=0').set('Authorization', `Bearer ${u.token}`)).status).toBe(400);
  });
});

describe('preferences', () => {
  it('default to email and webhook on, and keep fields a PUT leaves out', async () => {
    const u = await user('prefs_user');
    const auth = { Authorization: `Bearer ${u.token}` };
    expect((await request(a.url).get('/api/me/preferences').set(auth)).body).toEqual({
      preferences: { email: true, webhook: true, mutedThreads: [], blockedUsers: [] },
    });
    await request(a.url)
      .put('/api/me/preferences')
      .set(auth)
      .send({ email: false, mutedThreads: ['t1', 't1'] })
      .expect(200);
    const after = await request(a.url).put('/api/me/preferences').set(auth).send({ webhook: false });
    expect(after.body.preferences).toEqual({ email: false, webhook: false, mutedThreads: ['t1'], blockedUsers: [] });
    expect((await request(a.url).put('/api/me/preferences').set(auth).send({ email: 'yes' })).status).toBe(400);
    expect(
      (
        await request(a.url)
          .put('/api/me/preferences')
          .set(auth)
          .send({ mutedThreads: ['bad id!'] })
      ).status,
    ).toBe(400);
    expect((await request(a.url).put('/api/me/preferences').set(auth).send({ push: true })).status).toBe(400);
  });
});

describe('email', () => {
  it('reaches the recipient with subject and an escaped excerpt; user text is never HTML', async () => {
    const author = await user('script_kiddie');
    await user('mail_target');
    await request(a.url)
      .put('/api/threads/n-mail')
      .set('Authorization', `Bearer ${(await makeUser({ role: 'moderator' })).token}`)
      .send({ title: 'Kim invites Moon', url: 'https://news.example.com/korea' })
      .expect(200);
    const comment = await post(author, 'n-mail', '@mail_target look: <script>alert("x")</script> & <b>bold</b>');
    await eventually(() => expect(smtp.to('mail_target@example.com')).toHaveLength(1), 8_000);
    const mail = smtp.to('mail_target@example.com')[0]!.parsed;
    expect(mail.subject).toBe('script kiddie mentioned you in "Kim invites Moon"');
    expect(mail.text).toContain('<script>alert("x")</script> & <b>bold</b>');
    expect(mail.text).toContain(`https://news.example.com/korea#comment-${encodeURIComponent(comment.id)}`);
    const html = String(mail.html);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    expect(mail.messageId).toMatch(/^<n_[0-9a-f]{24}@threadline>$/);
  });

  it('is not sent twice when the same notify job runs twice', async () => {
    const author = await user('twice_author');
    const target = await user('twice_target');
    const comment = await post(author, 'n-twice', '@twice_target once only');
    await eventually(() => expect(smtp.to('twice_target@example.com')).toHaveLength(1), 8_000);
    // The same job again, as after a crash between its steps.
    await processNotify(a.app.deps, { threadId: 'n-twice', commentId: comment.id, reason: 'posted' });
    await processNotify(a.app.deps, { threadId: 'n-twice', commentId: comment.id, reason: 'posted' });
    // Every email and webhook job that the first run or the re-runs queued has now run (the SMTP server and
    // the receiver record a message before answering), so what arrived is all that will.
    const { queues } = a.app.deps;
    await queuesIdle([queues.notify, queues.email, queues.webhook]);
    expect(smtp.to('twice_target@example.com'), 'emails to twice_target').toHaveLength(1);
    expect((await inbox(target)).notifications, 'inbox entries of twice_target').toHaveLength(1);
    expect(
      hooks.received.filter((h) => JSON.parse(h.body).recipient?.id === target.id),
      'webhooks for twice_target',
    ).toHaveLength(1);
  });
});

describe('webhooks', () => {
  it('carry a stable webhook-id, a timestamp and a valid Standard Webhooks signature', async () => {
    const author = await user('hook_author');
    const target = await user('hook_target');
    await post(author, 'n-hook', '@hook_target ping');
    const mine = () => hooks.received.filter((h) => JSON.parse(h.body).recipient?.id === target.id);
    await eventually(() => expect(mine()).toHaveLength(1), 8_000);
    const hook = mine()[0]!;
    expect(hook.verified).toBe(true);
    expect(hook.headers['webhook-id']).toMatch(/^n_[0-9a-f]{24}$/);
    expect(Number(hook.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
    const payload = WebhookPayloadSchema.parse(JSON.parse(hook.body));
    expect(payload).toMatchObject({ type: 'notification', recipient: { id: target.id }, notification: { kind: 'mention' } });
  });

  it('retry with the same webhook-id, land in the failed set after the last attempt, and do not hold up others', async () => {
    const author = await user('fail_author');
    const doomed = await user('doomed');
    const fine = await user('fine_user');
    // doomed's endpoint hangs on the first attempt until fine_user's webhook has landed: if one slow
    // endpoint held up the others, fine_user's would wait behind it and this would time out.
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    let firstDoomedArrived!: () => void;
    const doomedArrived = new Promise<void>((resolve) => (firstDoomedArrived = resolve));
    hooks.respond = async (body) => {
      if (JSON.parse(body).recipient?.id !== doomed.id) return 204;
      firstDoomedArrived();
      await hung;
      return 500;
    };
    const doomedHooks = () => hooks.received.filter((h) => JSON.parse(h.body).recipient?.id === doomed.id);
    const toFine = () => hooks.received.filter((h) => JSON.parse(h.body).recipient?.id === fine.id);
    try {
      await post(author, 'n-fail', '@doomed this webhook will never land');
      await doomedArrived;
      await post(author, 'n-fail-2', '@fine_user this one will');
      await eventually(
        () =>
          expect(
            toFine().map((h) => h.status),
            'fine_user’s webhook, while doomed’s endpoint hangs',
          ).toEqual([204]),
        4_000,
      );
      expect(doomedHooks(), 'doomed’s first attempt is still unanswered').toHaveLength(0);
    } finally {
      release();
    }
    await eventually(() => expect(doomedHooks()).toHaveLength(3), 10_000);
    expect(new Set(doomedHooks().map((h) => h.headers['webhook-id'])).size).toBe(1);
    const verified = doomedHooks().map((h) => h.verified);
    expect(verified, 'signature verified, per attempt').toEqual(verified.map(() => true));
    await eventually(async () => {
      const failed = await a.app.deps.queues.webhook.getFailed();
      expect(failed.map((j) => j.data.webhookId)).toContain(doomedHooks()[0]!.headers['webhook-id']);
    });
    const metrics = await request(a.url).get('/metrics');
    expect(metrics.text).toMatch(/threadline_notification_failures_total\{channel="webhook",final="true"\} [1-9]/);
  });
});

describe('rate limits and digests', () => {
  it('twelve mentions of one user within the window: five messages now, one digest of the other seven when the window ends', async () => {
    const target = await user('popular', {});
    await request(a.url).put('/api/me/preferences').set('Authorization', `Bearer ${target.token}`).send({ webhook: false }).expect(200);
    const fans = await Promise.all([user('fan_a'), user('fan_b'), user('fan_c')]);
    for (let i = 0; i < 12; i++) await post(fans[i % 3]!, `n-rate-${i % 3}`, `@popular message ${i}`);
    await eventually(() => expect(smtp.to('popular@example.com')).toHaveLength(5), 8_000);
    await eventually(async () => expect((await inbox(target)).unread).toBe(12));
    await eventually(() => expect(smtp.to('popular@example.com')).toHaveLength(6), 10_000);
    const digest = smtp.to('popular@example.com')[5]!.parsed;
    expect(digest.subject).toBe('7 more mentions and replies in 3 threads');
    expect(digest.text).toMatch(/fan [abc] mentioned you in "n-rate-[012]"/);
    // Nothing after the digest: every notify job, digest job (a later window's would be waiting, delayed) and
    // the emails they queued have run.
    const { queues } = a.app.deps;
    await queuesIdle([queues.notify, queues.digest, queues.email]);
    expect(smtp.to('popular@example.com'), 'emails to popular: five at once and one digest, nothing more').toHaveLength(6);
  });
});

describe('out-of-band bookkeeping', () => {
  it('a digest takes only its own window’s items however often it runs; decisions are kept for a day, not for ever', async () => {
    const { notifications, keys } = a.app.deps.store;
    const t0 = Date.now();
    const at = (id: string, ms: number) => notifications.admit('oob-user', id, 1, 1_000, t0 + ms);
    expect((await at('n1', 0)).decision).toBe('send');
    const first = await at('n2', 10);
    expect((await at('n3', 1_100)).decision).toBe('send');
    const second = await at('n4', 1_110);
    expect([first.decision, second.decision]).toEqual(['digest', 'digest']);
    // The first window's digest runs twice (a retry after a crash): the second window's item stays.
    for (let run = 0; run < 2; run++) await processDigest(a.app.deps, { recipientId: 'oob-user', windowEndsAt: first.endsAt });
    expect((await notifications.digestItems('oob-user', second.endsAt)).ids).toEqual(['n4']);
    expect((await at('n2', 20)).decision, 'a re-run decides the same way').toBe('digest');
    await at('n5', 2 * 86_400_000);
    expect(await redis.client.zrange(keys.notifications.decisions('oob-user'), 0, -1)).toEqual(['send:n5']);
  });
});

describe('queue dashboard', () => {
  it('is for admins only (sign-in and query tokens: admin-dashboard.test.ts)', async () => {
    const admin = await makeUser({ role: 'admin' });
    const mod = await makeUser({ role: 'moderator' });
    expect((await request(a.url).get('/admin/queues')).status).toBe(401);
    expect((await request(a.url).get('/admin/queues').set('Authorization', `Bearer ${mod.token}`)).status).toBe(403);
    const ok = await request(a.url).get('/admin/queues').set('Authorization', `Bearer ${admin.token}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/bull/i);
    const api = await request(a.url).get('/admin/queues/api/queues').set('Authorization', `Bearer ${admin.token}`);
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.body)).toContain('notify-webhook');
  });
});
