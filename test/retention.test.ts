import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../contract/index.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

/**
 * Every index has a retention, applied when it is written: entries older than
 * it go, and keys nobody writes any more expire. Old entries are planted
 * directly in Redis (a year cannot pass in a test), then one ordinary write
 * must trim them.
 */
const DAY_MS = 86_400_000;
const RETENTION_DAYS = 30;
let redis: TestRedis;
let server: TestServer;
let mod: TestUser;
let author: TestUser;

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });
const keys = () => server.app.deps.store.keys;
const post = (u: TestUser, threadId: string, body: string) =>
  request(server.url)
    .post(`/api/threads/${threadId}/comments`)
    .set(auth(u))
    .send({ body })
    .expect(201)
    .then((r) => r.body.comment);
const reject = (commentId: string) =>
  request(server.url)
    .post(`/api/moderation/comments/${encodeURIComponent(commentId)}/reject`)
    .set(auth(mod))
    .send({})
    .expect(200);

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer({
    AUDIT_RETENTION_DAYS: String(RETENTION_DAYS),
    MODERATION_RETENTION_DAYS: String(RETENTION_DAYS),
  }));
  mod = await makeUser({ handle: 'retention_mod', role: 'moderator' });
  author = await makeUser({ handle: 'retention_author' });
});

afterAll(() => stopServerAndRedis(server, redis));

describe('retention', () => {
  it('the audit log and its per-thread and per-moderator indexes drop entries older than AUDIT_RETENTION_DAYS on the next write', async () => {
    const threadId = 'audit-retention';
    const k = keys().moderation;
    const old = Date.now() - (RETENTION_DAYS + 10) * DAY_MS;
    const oldId = `${old}-0`;
    await redis.client.xadd(
      k.audit,
      oldId,
      'entry',
      JSON.stringify({
        by: { kind: 'user', id: mod.id, handle: mod.handle },
        action: 'reject',
        target: { threadId },
        reasons: [],
        before: null,
        after: null,
        at: new Date(old).toISOString(),
      }),
    );
    await redis.client.zadd(k.auditByThread(threadId), old * 1000, oldId);
    await redis.client.zadd(k.auditByModerator(mod.id), old * 1000, oldId);

    const c = await post(author, threadId, 'to be rejected');
    await reject(c.id);

    const cutoff = Date.now() - RETENTION_DAYS * DAY_MS;
    const stream = await redis.client.xrange(k.audit, '-', '+');
    expect(
      stream.map(([id]) => id),
      'audit log entries older than the retention are gone',
    ).not.toContain(oldId);
    expect(
      stream.every(([id]) => Number(id.split('-')[0]) >= cutoff),
      'no audit entry is older than the retention',
    ).toBe(true);
    for (const index of [k.auditByThread(threadId), k.auditByModerator(mod.id)]) {
      const ids = await redis.client.zrange(index, 0, -1);
      expect(ids, `${index} no longer lists the old entry`).not.toContain(oldId);
      expect(ids.length, `${index} lists the new decision`).toBeGreaterThan(0);
      const ttl = await redis.client.pttl(index);
      expect(
        ttl > 0 && ttl <= RETENTION_DAYS * DAY_MS,
        `${index} expires when nothing is added to it for the retention (pttl ${ttl})`,
      ).toBe(true);
    }
    const page = await request(server.url).get('/api/moderation/audit').query({ threadId }).set(auth(mod)).expect(200);
    expect(
      page.body.entries.map((e: AuditEntry) => e.action),
      'the thread audit shows the new decision only',
    ).toEqual(['reject']);
  });

  it('an audit index entry whose log entry was trimmed by AUDIT_MAX_ENTRIES is skipped and pruned; paging still reaches older entries', async () => {
    const threadId = 'audit-dangling';
    const k = keys().moderation;
    const c = await post(author, threadId, 'rejected before the log was trimmed');
    await reject(c.id);
    // Newer index entries whose log entries the count cap has already dropped.
    const now = Date.now() + 1_000;
    const dangling = Array.from({ length: 3 }, (_, i) => `${now + i}-0`);
    await redis.client.zadd(k.auditByThread(threadId), ...dangling.flatMap((id) => [Number(id.split('-')[0]) * 1000, id]));

    const page = await request(server.url).get('/api/moderation/audit').query({ threadId, limit: 2 }).set(auth(mod)).expect(200);
    expect(
      page.body.entries.map((e: AuditEntry) => e.target.commentId),
      'the first page skips the missing entries and shows the real one',
    ).toEqual([c.id]);
    expect(await redis.client.zrange(k.auditByThread(threadId), 0, -1), 'the missing entries were pruned from the index').toHaveLength(1);
  });

  it('the rejected queue (site-wide and per thread) drops items rejected longer ago than MODERATION_RETENTION_DAYS', async () => {
    const threadId = 'rejected-retention';
    const k = keys().moderation;
    const old = Date.now() - (RETENTION_DAYS + 1) * DAY_MS;
    const stale = `${threadId}~OLDOLDOLDOLD`;
    await redis.client.zadd(k.queue('rejected'), old, stale);
    await redis.client.zadd(k.threadQueue('rejected', threadId), old, stale);

    const c = await post(author, threadId, 'rejected now');
    await reject(c.id);

    for (const queue of [k.queue('rejected'), k.threadQueue('rejected', threadId)]) {
      const items = await redis.client.zrange(queue, 0, -1);
      expect(items, `${queue} keeps the new rejection`).toContain(c.id);
      expect(items, `${queue} drops the rejection older than the retention`).not.toContain(stale);
    }
    const ttl = await redis.client.pttl(k.threadQueue('rejected', threadId));
    expect(
      ttl > 0 && ttl <= RETENTION_DAYS * DAY_MS,
      `the thread's rejected view expires once nothing is rejected there for the retention (pttl ${ttl})`,
    ).toBe(true);
  });

  it("readers' reports on a comment expire MODERATION_RETENTION_DAYS after the last one", async () => {
    const c = await post(author, 'report-retention', 'reported once');
    const reporter = await makeUser();
    await request(server.url)
      .post(`/api/comments/${encodeURIComponent(c.id)}/report`)
      .set(auth(reporter))
      .send({ reason: 'spam' })
      .expect(200);
    const ttl = await redis.client.pttl(keys().moderation.reports(c.id));
    expect(ttl > 0 && ttl <= RETENTION_DAYS * DAY_MS, `the reports hash has an expiry within the retention (pttl ${ttl})`).toBe(true);
  });

  it("a thread's participants index keeps the most recent 500 commenters", async () => {
    const threadId = 'participants-retention';
    const participants = keys().thread.participants(threadId);
    const old = Date.now() - DAY_MS;
    const members = Array.from({ length: 600 }, (_, i) => [old + i, `old-user-${i}`] as const);
    await redis.client.zadd(participants, ...members.flat());

    await post(author, threadId, 'one more participant');
    expect(await redis.client.zcard(participants), 'the participants index is capped at 500').toBe(500);
    expect(await redis.client.zscore(participants, author.id), 'the newest commenter is kept').not.toBeNull();
    expect(await redis.client.zscore(participants, 'old-user-0'), 'the least recent commenters go first').toBeNull();
  });
});
