import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modClientEvents, restRoutes } from '../contract/index.ts';
import { makeUser, moderationAttempt, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

/** Who may use moderation: every route and every event, for every kind of caller. */
let redis: TestRedis;
let server: TestServer;
let commenter: TestUser;
let banned: TestUser;
let moderator: TestUser;
let admin: TestUser;
let commentId: string;
/** The admin acts on its own comment: on the moderator's, the action or claim would be a conflict, not a success. */
let adminsCommentId: string;

const ADMIN_ONLY = new Set(restRoutes.filter((r) => r.auth === 'admin').map((r) => `${r.method} ${r.path}`));
const moderationRoutes = restRoutes.filter((r) => r.path.startsWith('/api/moderation'));

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  commenter = await makeUser({ handle: 'acl_commenter' });
  banned = await makeUser({ handle: 'acl_banned' });
  moderator = await makeUser({ handle: 'acl_mod', role: 'moderator' });
  admin = await makeUser({ handle: 'acl_admin', role: 'admin' });
  const c = await request(server.url)
    .post('/api/threads/acl/comments')
    .set('Authorization', `Bearer ${commenter.token}`)
    .send({ body: 'hello' })
    .expect(201);
  commentId = c.body.comment.id;
  adminsCommentId = (
    await request(server.url)
      .post('/api/threads/acl/comments')
      .set('Authorization', `Bearer ${commenter.token}`)
      .send({ body: 'hello again' })
      .expect(201)
  ).body.comment.id;
  await request(server.url).get('/api/threads/acl').set('Authorization', `Bearer ${banned.token}`).expect(200);
  await request(server.url)
    .post(`/api/moderation/users/${banned.id}/ban`)
    .set('Authorization', `Bearer ${admin.token}`)
    .send({ reason: 'test' })
    .expect(200);
});

afterAll(() => stopServerAndRedis(server, redis));

const path = (p: string, method: string, onComment: string) =>
  p
    .replace(':commentId', encodeURIComponent(onComment))
    .replace(':threadId', 'acl')
    // Not the user the POST ban test leaves banned by an admin: a moderator may not lift that ban.
    .replace(':userId', method === 'delete' ? 'someone-never-banned' : 'someone-else')
    .replace(':queue', 'pending')
    .replace(':action', 'feature');

const SAMPLE_BODY: Record<string, unknown> = {
  'post /api/moderation/comments/:commentId/:action': {},
  'post /api/moderation/users/:userId/ban': { durationSeconds: 3600 },
  'patch /api/moderation/threads/:threadId': { slowModeSeconds: 0 },
  'put /api/moderation/wordlists': { suspect: ['dotard'] },
  'put /api/moderation/settings': { premodNewUsers: 0 },
};

function call(route: (typeof moderationRoutes)[number], user?: TestUser) {
  const onComment = user === admin ? adminsCommentId : commentId;
  const req = request(server.url)[route.method](path(route.path, route.method, onComment));
  if (user) req.set('Authorization', `Bearer ${user.token}`);
  return req.send(SAMPLE_BODY[`${route.method} ${route.path}`] ?? undefined);
}

describe('moderation REST routes', () => {
  it('exist for every documented moderation route', () => {
    expect(moderationRoutes.length).toBeGreaterThanOrEqual(12);
    expect([...ADMIN_ONLY].sort(), 'routes the contract marks admin-only').toEqual([
      'delete /api/admin/users/:userId',
      'get /admin/queues',
      'get /api/admin/users/:userId/export',
      'post /admin/session',
      'put /api/moderation/settings',
      'put /api/moderation/wordlists',
    ]);
  });

  for (const route of moderationRoutes) {
    const name = `${route.method.toUpperCase()} ${route.path}`;
    it(`${name}: anonymous 401, commenter 403, banned commenter 403, moderator ${ADMIN_ONLY.has(`${route.method} ${route.path}`) ? '403' : 'allowed'}, admin allowed`, async () => {
      expect((await call(route)).status).toBe(401);
      expect((await call(route, commenter)).status).toBe(403);
      expect((await call(route, banned)).status).toBe(403);
      // Allowed means the route's documented success status, not merely "not 401/403": a 404 or 409
      // would hide a route that refuses its callers some other way.
      const mod = await call(route, moderator);
      if (ADMIN_ONLY.has(`${route.method} ${route.path}`)) expect(mod.status).toBe(403);
      else expect(mod.status, `${name} as moderator: ${JSON.stringify(mod.body)}`).toBe(route.status);
      const adm = await call(route, admin);
      expect(adm.status, `${name} as admin: ${JSON.stringify(adm.body)}`).toBe(route.status);
    });
  }
});

const modSocket = (user?: TestUser) => moderationAttempt(server.url, user?.token);

const SAMPLE_EVENT: Record<string, () => unknown> = {
  'mod:subscribe': () => ({}),
  'mod:claim': () => ({ commentId }),
  'mod:release': () => ({ commentId }),
  'mod:action': () => ({ commentId, action: 'unfeature' }),
  'mod:ban': () => ({ userId: 'another-someone', durationSeconds: 600 }),
  'mod:unban': () => ({ userId: 'another-someone' }),
  'mod:thread': () => ({ threadId: 'acl', settings: { slowModeSeconds: 0 } }),
};

describe('the /moderation namespace', () => {
  it('refuses anonymous (unauthenticated), commenters and banned commenters (forbidden)', async () => {
    expect((await modSocket()).error?.code).toBe('unauthenticated');
    expect((await modSocket(commenter)).error?.code).toBe('forbidden');
    expect((await modSocket(banned)).error?.code).toBe('forbidden');
  });

  it('lets moderators and admins use every event', async () => {
    expect(Object.keys(SAMPLE_EVENT).sort()).toEqual(Object.keys(modClientEvents).sort());
    for (const user of [moderator, admin]) {
      const { socket } = await modSocket(user);
      expect(socket).toBeDefined();
      for (const [event, payload] of Object.entries(SAMPLE_EVENT)) {
        const res = (await socket!.timeout(5_000).emitWithAck(event, payload())) as { ok: boolean; error?: { code: string } };
        // A conflict (another moderator acted first) is the action speaking, not access control.
        expect(res.ok || res.error?.code === 'conflict', `${event} as ${user.role}: ${JSON.stringify(res)}`).toBe(true);
      }
      socket!.disconnect();
    }
  });

  it('disconnects a moderator when the token expires, saying why first', async () => {
    const mod = await makeUser({ handle: 'acl_short_lived', role: 'moderator', ttlSeconds: 2 });
    const { socket } = await modSocket(mod);
    const told = new Promise<{ reason: string }>((resolve) => socket!.once('auth:expired', resolve));
    const disconnected = new Promise<string>((resolve) => socket!.once('disconnect', resolve));
    expect((await told).reason).toMatch(/expired/i);
    expect(await disconnected).toBe('io server disconnect');
  });

  it('checks on every event, not only at connect: a moderator banned mid-session cannot act, and is disconnected', async () => {
    const mod = await makeUser({ handle: 'acl_soon_banned', role: 'moderator' });
    const { socket } = await modSocket(mod);
    expect(((await socket!.emitWithAck('mod:subscribe', {})) as { ok: boolean }).ok).toBe(true);
    const closed = new Promise<string>((resolve) => socket!.once('disconnect', resolve));
    await request(server.url)
      .post(`/api/moderation/users/${mod.id}/ban`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({})
      .expect(200);
    // Sent straight after the ban: refused if it gets there before the socket is closed, else never handled.
    const res = (await socket!
      .timeout(2_000)
      .emitWithAck('mod:action', { commentId, action: 'feature' })
      .catch(() => ({ ok: false, error: { code: 'closed' } }))) as { ok: boolean; error?: { code: string } };
    expect(['forbidden', 'closed'], `the banned moderator's action: ${JSON.stringify(res)}`).toContain(res.error?.code);
    expect(await closed).toBe('io server disconnect');
  });
});

describe('a banned moderator', () => {
  it('is refused over REST as well as on the socket, for reads and actions alike', async () => {
    const mod = await makeUser({ handle: 'acl_rest_banned', role: 'moderator' });
    const asMod = (route: (typeof moderationRoutes)[number]) => call(route, mod);
    expect((await asMod(moderationRoutes.find((r) => r.method === 'get' && r.path === '/api/moderation/queues/:queue')!)).status).toBe(200);
    await request(server.url)
      .post(`/api/moderation/users/${mod.id}/ban`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({})
      .expect(200);
    for (const route of moderationRoutes.filter((r) => !ADMIN_ONLY.has(`${r.method} ${r.path}`))) {
      const res = await asMod(route);
      expect({ route: `${route.method} ${route.path}`, status: res.status, code: res.body.error?.code }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 403,
        code: 'forbidden',
      });
    }
  });
});

describe('a banned admin', () => {
  it('is refused at the queue dashboard as on the admin routes', async () => {
    const other = await makeUser({ handle: 'acl_admin_banned', role: 'admin' });
    const dashboard = () => request(server.url).get('/admin/queues').set('Authorization', `Bearer ${other.token}`);
    expect((await dashboard()).status, 'an admin opens the dashboard').toBe(200);
    await request(server.url)
      .post(`/api/moderation/users/${other.id}/ban`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({})
      .expect(200);
    const refused = await dashboard();
    expect({ status: refused.status, code: refused.body.error?.code }, 'the same admin, banned').toEqual({
      status: 403,
      code: 'forbidden',
    });
  });
});
