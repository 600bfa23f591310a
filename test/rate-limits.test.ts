import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSocket, makeUser, request as emit, type TestUser } from './support/clients.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';
import { veteran as veteranOn } from './support/users.ts';

/** Two instances with the default-shaped limits (small numbers where a test needs them), one Redis. */
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let strangerProxy: TestServer;
const PREFIX = 'rl:';
const LIMITS = {
  REDIS_PREFIX: PREFIX,
  RATE_USER_SHORT: '5',
  RATE_USER_SHORT_SECONDS: '30',
  RATE_USER_LONG: '60',
  RATE_USER_LONG_SECONDS: '3600',
  RATE_IP: '8',
  RATE_IP_SECONDS: '60',
  TRUSTED_PROXIES: 'loopback',
  RATE_REPORTS: '10',
  RATE_REPORTS_SECONDS: '600',
};
let ipN = 0;
/** Each test posts from its own address (set by the trusted loopback "proxy"). */
const freshIp = () => `203.0.113.${++ipN}`;

/** First seen two days ago: not a new account (written through instance a; all three share the prefix). */
const veteran = (name: string) => veteranOn(a, name);

const post = (server: TestServer, u: TestUser, threadId: string, ip: string, body = 'hello') =>
  request(server.url)
    .post(`/api/threads/${threadId}/comments`)
    .set('Authorization', `Bearer ${u.token}`)
    .set('X-Forwarded-For', ip)
    .send({ body });

async function threadState(threadId: string) {
  const thread = (await request(a.url).get(`/api/threads/${threadId}`)).body.thread;
  const logLength = await redis.client.xlen(`${PREFIX}{t:${threadId}}:log`);
  return { count: thread.commentCount, offset: thread.offset, logLength };
}

beforeAll(async () => {
  redis = await startRedis();
  a = await startServer(redis.url, LIMITS);
  b = await startServer(redis.url, LIMITS);
  strangerProxy = await startServer(redis.url, { ...LIMITS, TRUSTED_PROXIES: '' });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await strangerProxy?.close();
  await redis?.stop();
});

describe('per-user limits', () => {
  it('count refused attempts with a banned term too, so they cannot flood the audit log', async () => {
    const admin = await makeUser({ role: 'admin' });
    const asAdmin = { Authorization: `Bearer ${admin.token}` };
    await request(a.url)
      .put('/api/moderation/wordlists')
      .set(asAdmin)
      .send({ banned: ['scumbag'] })
      .expect(200);
    try {
      const u = await veteran('rl_banned_words');
      const ip = freshIp();
      const codes: string[] = [];
      for (let i = 0; i < 7; i++) codes.push((await post(i % 2 ? b : a, u, 'rl-words', ip, `you scumbag ${i}`)).body.error?.code);
      expect(codes).toEqual([...Array(5).fill('invalid_payload'), 'rate_limited', 'rate_limited']);
      const audit = await request(a.url).get('/api/moderation/audit').query({ threadId: 'rl-words' }).set(asAdmin).expect(200);
      expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(Array(5).fill('refuse'));
    } finally {
      await request(a.url).put('/api/moderation/wordlists').set(asAdmin).send({ banned: [] }).expect(200);
    }
  });

  it('allow 5 comments per 30 s across both instances, then refuse with the exact retry-after and write nothing', async () => {
    const u = await veteran('rl_user');
    const ip = freshIp();
    const started = Date.now();
    for (let i = 0; i < 5; i++) expect((await post(i % 2 ? b : a, u, 'rl-1', ip)).status).toBe(201);
    const before = await threadState('rl-1');
    const refused = await post(b, u, 'rl-1', ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { scope: 'user', limit: { points: 5, seconds: 30 } } });
    const elapsed = Date.now() - started;
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(30_000 - elapsed - 1_000);
    expect(refused.body.error.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(refused.headers['retry-after']).toBe(String(Math.ceil(refused.body.error.retryAfterMs / 1000)));
    expect(await threadState('rl-1')).toEqual(before);
    // The other instance agrees.
    expect((await post(a, u, 'rl-1b', ip)).status).toBe(429);
  });

  it('give accounts first seen under 24 h ago half', async () => {
    const fresh = await makeUser({ handle: 'rl_newbie' });
    const ip = freshIp();
    expect((await post(a, fresh, 'rl-2', ip)).status).toBe(201);
    expect((await post(b, fresh, 'rl-2', ip)).status).toBe(201);
    const refused = await post(a, fresh, 'rl-2', ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error.details.limit).toEqual({ points: 2, seconds: 30 });
  });

  it('count edits too', async () => {
    const u = await veteran('rl_editor');
    const ip = freshIp();
    const c = (await post(a, u, 'rl-3', ip)).body.comment;
    for (let i = 0; i < 4; i++) {
      await request(b.url)
        .patch(`/api/comments/${c.id}`)
        .set('Authorization', `Bearer ${u.token}`)
        .set('X-Forwarded-For', ip)
        .send({ body: `edit ${i}` })
        .expect(200);
    }
    const edit = await request(a.url)
      .patch(`/api/comments/${c.id}`)
      .set('Authorization', `Bearer ${u.token}`)
      .set('X-Forwarded-For', ip)
      .send({ body: 'one too many' });
    expect(edit.status).toBe(429);
    expect((await request(a.url).get(`/api/threads/rl-3/comments`)).body.comments[0].body).toBe('edit 3');
  });

  it('do not apply to moderators', async () => {
    const mod = await makeUser({ role: 'moderator' });
    const ip = freshIp();
    for (let i = 0; i < 7; i++) expect((await post(i % 2 ? a : b, mod, 'rl-4', ip)).status).toBe(201);
  });

  it('refuse over the socket with an ack carrying rate_limited and retryAfterMs', async () => {
    const u = await veteran('rl_socket');
    const s = await connectSocket(a.url, u.token);
    for (let i = 0; i < 5; i++)
      expect((await emit(s, 'comment:post', { threadId: 'rl-5', body: `s${i}`, clientId: `rl-socket-${i}-000` })).ok).toBe(true);
    const refused = await emit(s, 'comment:post', { threadId: 'rl-5', body: 'too fast', clientId: 'rl-socket-5-000' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited', details: { scope: 'user' } } });
    if (!refused.ok) expect(refused.error.retryAfterMs).toBeGreaterThan(25_000);
    // Retrying an accepted post is not a new post: it still answers with the original.
    const replay = await emit(s, 'comment:post', { threadId: 'rl-5', body: 's0', clientId: 'rl-socket-0-000' });
    expect(replay).toMatchObject({ ok: true, duplicate: true });
    s.disconnect();
  });

  it('do not use up budget on attempts that were refused', async () => {
    const u = await veteran('rl_patient');
    const ip = freshIp();
    for (let i = 0; i < 5; i++) await post(a, u, 'rl-6', ip).expect(201);
    for (let i = 0; i < 3; i++) await post(a, u, 'rl-6', ip).expect(429);
    // The refused attempts did not count against the IP's budget (8): three more users still fit.
    for (const name of ['rl_p2', 'rl_p3', 'rl_p4']) expect((await post(b, await veteran(name), 'rl-6', ip)).status).toBe(201);
  });
});

describe('budgets taken with the pre-write read', () => {
  it('are given back when the post is refused for another reason (a locked thread) or is a replay', async () => {
    const u = await veteran('rl_giveback');
    const mod = await makeUser({ role: 'moderator' });
    const ip = freshIp();
    await post(a, u, 'rl-giveback', ip).expect(201);
    await request(a.url)
      .patch('/api/moderation/threads/rl-giveback')
      .set('Authorization', `Bearer ${mod.token}`)
      .send({ locked: true })
      .expect(200);
    for (let i = 0; i < 6; i++) expect((await post(a, u, 'rl-giveback', ip)).status, `locked-thread attempt ${i + 1}`).toBe(423);
    const s = await connectSocket(a.url, u.token);
    for (let i = 0; i < 6; i++) {
      const replay = await emit(s, 'comment:post', { threadId: 'rl-giveback-open', body: 'once', clientId: 'rl-giveback-000' });
      expect(replay, `replay ${i}`).toMatchObject({ ok: true });
    }
    s.disconnect();
    // 5 per 30 s: the first post and the one stored by the clientId used 2; the 12 refusals and replays none.
    for (let i = 0; i < 3; i++) expect((await post(a, u, 'rl-giveback-open', ip, `more ${i}`)).status, `post ${i + 3} of 5`).toBe(201);
    expect((await post(a, u, 'rl-giveback-open', ip, 'sixth')).status, 'the sixth comment is over the budget').toBe(429);
  });
});

describe('report limit', () => {
  const report = (server: TestServer, u: TestUser, commentId: string) =>
    request(server.url)
      .post(`/api/comments/${encodeURIComponent(commentId)}/report`)
      .set('Authorization', `Bearer ${u.token}`)
      .send({ reason: 'spam' });

  it('lets a reader file 10 reports per 10 minutes across both instances; the 11th is rate_limited with retryAfterMs and not recorded', async () => {
    // A moderator writes the comments: exempt from the per-user limits (each from its own address for the per-IP one).
    const author = await makeUser({ role: 'moderator' });
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push((await post(a, author, 'rl-reports', freshIp(), `report me ${i}`).expect(201)).body.comment.id);
    const reader = await makeUser();

    for (let i = 0; i < 10; i++) {
      const res = await report(i % 2 ? b : a, reader, ids[i]!);
      expect(res.body, `report ${i + 1} of 10`).toEqual({ reported: true, reports: 1 });
      // Repeating a report changes nothing, so it gives its point back.
      if (i === 0) expect((await report(b, reader, ids[0]!)).body).toEqual({ reported: false, reports: 1 });
    }
    const refused = await report(b, reader, ids[10]!);
    expect(refused.status, JSON.stringify(refused.body)).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { scope: 'reports', limit: { points: 10, seconds: 600 } } });
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(590_000);
    expect(refused.body.error.retryAfterMs).toBeLessThanOrEqual(600_000);
    expect(Number(refused.headers['retry-after'])).toBe(Math.ceil(refused.body.error.retryAfterMs / 1000));
    expect(await a.app.deps.store.moderation.reports(ids[10]!), 'the refused report is not stored').toEqual([]);

    // Moderators are exempt; another reader has their own budget.
    expect((await report(a, await makeUser({ role: 'moderator' }), ids[10]!)).status).toBe(200);
    expect((await report(a, await makeUser(), ids[10]!)).status).toBe(200);
  });
});

describe('per-IP limit', () => {
  it('allows 8 per minute from one address, whoever posts, and counts the real client behind trusted proxies only', async () => {
    const ip = freshIp();
    const users = await Promise.all(Array.from({ length: 9 }, (_, i) => veteran(`rl_ip_${i}`)));
    for (let i = 0; i < 8; i++) expect((await post(i % 2 ? a : b, users[i]!, 'rl-ip', ip)).status).toBe(201);
    const refused = await post(a, users[8]!, 'rl-ip', ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error.details.scope).toBe('ip');
    expect((await post(a, users[8]!, 'rl-ip', freshIp())).status).toBe(201);

    // A server that trusts no proxy sees the socket address, whatever X-Forwarded-For claims.
    const sneaky = await Promise.all(Array.from({ length: 9 }, (_, i) => veteran(`rl_sneaky_${i}`)));
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await post(strangerProxy, sneaky[i]!, 'rl-ip-2', freshIp())).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe('slow mode', () => {
  it('lets each user post once per interval in that thread, exactly, and is set by moderators', async () => {
    const mod = await makeUser({ role: 'moderator' });
    const u = await veteran('rl_slow');
    const settings = await request(a.url)
      .patch('/api/moderation/threads/rl-slow')
      .set('Authorization', `Bearer ${mod.token}`)
      .send({ slowModeSeconds: 10 });
    expect(settings.status).toBe(200);
    expect(settings.body.thread.slowModeSeconds).toBe(10);
    expect(
      (await request(a.url).patch('/api/moderation/threads/rl-slow').set('Authorization', `Bearer ${u.token}`).send({ slowModeSeconds: 0 }))
        .status,
    ).toBe(403);

    const ip = freshIp();
    expect((await post(a, u, 'rl-slow', ip)).status).toBe(201);
    const started = Date.now();
    const refused = await post(b, u, 'rl-slow', ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error.details.scope).toBe('slow_mode');
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(10_000 - (Date.now() - started) - 1_000);
    expect(refused.body.error.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect(refused.body.error.message).toMatch(/Slow mode/);
    // Other threads, and moderators, are not slowed.
    expect((await post(b, u, 'rl-not-slow', ip)).status).toBe(201);
    expect((await post(a, mod, 'rl-slow', freshIp())).status).toBe(201);
  });
});
