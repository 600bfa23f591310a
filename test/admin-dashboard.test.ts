import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowserTests, warnIfSkippingBrowser, watchErrors } from './support/chromium.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';

/** The queue dashboard (/admin/queues): how admins sign in, and what they may do there. */
warnIfSkippingBrowser('dashboard sign-in in a browser');

let redis: TestRedis;
let readOnly: TestServer;
let actionsOn: TestServer;
let behindProxy: TestServer;
let admin: TestUser;
let moderator: TestUser;

beforeAll(async () => {
  redis = await startRedis();
  [readOnly, actionsOn, behindProxy] = await Promise.all([
    startServer(redis.url),
    startServer(redis.url, { ADMIN_QUEUE_ACTIONS: 'on' }),
    startServer(redis.url, { TRUSTED_PROXIES: 'loopback' }),
  ]);
  admin = await makeUser({ role: 'admin' });
  moderator = await makeUser({ role: 'moderator' });
});

afterAll(async () => {
  await Promise.all([readOnly?.close(), actionsOn?.close(), behindProxy?.close()]);
  await redis?.stop();
});

const cookieOf = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('tl_admin='));

describe('signing in to the queue dashboard', () => {
  it('refuses a token in the URL query, and sets no cookie from it', async () => {
    const viaQuery = await request(readOnly.url).get(`/admin/queues?token=${admin.token}`);
    expect(
      { status: viaQuery.status, code: viaQuery.body.error?.code, cookie: cookieOf(viaQuery) },
      'GET /admin/queues?token=<admin JWT>',
    ).toEqual({
      status: 400,
      code: 'invalid_payload',
      cookie: undefined,
    });
    expect(viaQuery.body.error.message).toMatch(/\/admin\/login/);
    const alsoBearer = await request(readOnly.url)
      .get(`/admin/queues/api/queues?token=${admin.token}`)
      .set('Authorization', `Bearer ${admin.token}`);
    expect(alsoBearer.status, 'a query token is refused even next to a valid header').toBe(400);
  });

  it('trades a token sent in a header for an HttpOnly, SameSite=Strict cookie scoped to the dashboard, which opens it', async () => {
    expect((await request(readOnly.url).post('/admin/session')).status, 'no token').toBe(401);
    expect(
      (await request(readOnly.url).post('/admin/session').set('Authorization', `Bearer ${moderator.token}`)).status,
      'a moderator',
    ).toBe(403);
    const session = await request(readOnly.url).post('/admin/session').set('Authorization', `Bearer ${admin.token}`);
    expect(session.status).toBe(204);
    const cookie = cookieOf(session);
    expect(cookie, 'the session cookie').toMatch(/^tl_admin=[^;]+; Path=\/admin\/queues; Expires=[^;]+; HttpOnly; SameSite=Strict$/);

    const page = await request(readOnly.url).get('/admin/queues').set('Cookie', cookie!.split(';')[0]!);
    expect(page.status, 'the dashboard with the cookie').toBe(200);
    expect(page.text).toMatch(/bull/i);
    expect(page.headers['content-security-policy'], 'the dashboard may be framed only by us').toMatch(/frame-ancestors 'self'/);

    const signedOut = await request(readOnly.url).delete('/admin/session');
    expect(cookieOf(signedOut), 'signing out clears the cookie').toMatch(/^tl_admin=; Path=\/admin\/queues; Expires=Thu, 01 Jan 1970/);
  });

  it('sends a browser without a session to /admin/login, a page that takes the token from #token= or a form, under a strict CSP', async () => {
    const browser = await request(readOnly.url).get('/admin/queues').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect({ status: browser.status, location: browser.headers.location }).toEqual({ status: 303, location: '/admin/login' });
    expect((await request(readOnly.url).get('/admin/queues')).status, 'an API client without a token').toBe(401);

    const login = await request(readOnly.url).get('/admin/login').expect(200);
    expect(login.text).toContain('<script src="/admin/login.js"></script>');
    expect(login.headers['content-security-policy']).toMatch(/script-src 'self'.*frame-ancestors 'self'/);
    const script = await request(readOnly.url).get('/admin/login.js').expect(200);
    expect(script.text, 'the script posts the token in a header').toContain('/admin/session');
    expect(script.text).toContain('Authorization');
  });

  it('marks the cookie Secure when the reader used https, as told by a trusted proxy only', async () => {
    const signIn = (server: TestServer, proto?: string) => {
      const req = request(server.url).post('/admin/session').set('Authorization', `Bearer ${admin.token}`);
      return proto ? req.set('X-Forwarded-Proto', proto) : req;
    };
    expect(cookieOf(await signIn(behindProxy, 'https')), 'https at a trusted proxy').toMatch(/; Secure(;|$)/);
    expect(cookieOf(await signIn(behindProxy, 'http')), 'http at a trusted proxy').not.toMatch(/Secure/);
    expect(cookieOf(await signIn(readOnly, 'https')), 'X-Forwarded-Proto from a hop outside TRUSTED_PROXIES').not.toMatch(/Secure/);
    expect(cookieOf(await signIn(readOnly)), 'plain http').not.toMatch(/Secure/);
  });
});

/** bull-board's routes that change something, with the admin's session; {id} is a delayed job. */
const ACTIONS: [method: 'post' | 'put' | 'patch', path: string, body?: object][] = [
  ['post', '/api/queues/{queue}/add', { name: 'webhook', data: { url: 'https://attacker.example/hook', payload: 'signed by the site' } }],
  ['put', '/api/queues/{queue}/{id}/promote'],
  ['put', '/api/queues/{queue}/{id}/retry'],
  ['put', '/api/queues/{queue}/{id}/clean'],
  ['patch', '/api/queues/{queue}/{id}/update-data', { data: { changed: true } }],
  ['put', '/api/queues/{queue}/promote'],
  ['put', '/api/queues/{queue}/retry/failed'],
  ['put', '/api/queues/{queue}/clean/delayed'],
  ['put', '/api/queues/{queue}/pause'],
  ['put', '/api/queues/pause'],
  ['put', '/api/queues/{queue}/empty'],
  ['put', '/api/queues/{queue}/obliterate'],
];

async function delayedJob(server: TestServer) {
  const queue = server.app.deps.queues.webhook;
  const job = await queue.add('webhook', { probe: true } as never, { delay: 3_600_000 });
  return { queue, id: job.id! };
}

async function signedIn(server: TestServer): Promise<string> {
  const res = await request(server.url).post('/admin/session').set('Authorization', `Bearer ${admin.token}`).expect(204);
  return cookieOf(res)!.split(';')[0]!;
}

describe('queue actions', () => {
  it('are refused by default: every bull-board route that changes a queue answers 403 to an admin, and nothing changes', async () => {
    const { queue, id } = await delayedJob(readOnly);
    // As an API client would; the cookie of a browser session is the same token (the next test uses one).
    const asAdmin = { Authorization: `Bearer ${admin.token}` };
    const before = await queue.getJobCounts();
    for (const [method, path, body] of ACTIONS) {
      const url = `/admin/queues${path.replace('{queue}', queue.name).replace('{id}', id)}`;
      const res = await request(readOnly.url)[method](url).set(asAdmin).send(body);
      expect({ action: `${method.toUpperCase()} ${path}`, status: res.status }, 'refused with ADMIN_QUEUE_ACTIONS off').toEqual({
        action: `${method.toUpperCase()} ${path}`,
        status: 403,
      });
    }
    expect(await queue.getJobCounts(), 'no job added, promoted, retried or removed').toEqual(before);
    expect((await queue.getJob(id))?.data, 'the job data is untouched').toEqual({ probe: true });
    expect(await queue.isPaused(), 'the queue is not paused').toBe(false);
    const board = await request(readOnly.url).get('/admin/queues/api/queues').set(asAdmin).expect(200);
    expect(
      board.body.queues.map((q: { readOnlyMode: boolean }) => q.readOnlyMode),
      'bull-board shows every queue read-only',
    ).not.toContain(false);
  });

  it('are allowed with ADMIN_QUEUE_ACTIONS=on: an admin adds a job and promotes one', async () => {
    const { queue, id } = await delayedJob(actionsOn);
    const cookie = await signedIn(actionsOn);
    const added = await request(actionsOn.url)
      .post(`/admin/queues/api/queues/${queue.name}/add`)
      .set('Cookie', cookie)
      .send({ name: 'webhook', data: { added: true } });
    expect(added.status).toBe(200);
    expect((await queue.getJob(added.body.job.id))?.data).toEqual({ added: true });
    expect(
      (await request(actionsOn.url).put(`/admin/queues/api/queues/${queue.name}/${id}/promote`).set('Cookie', cookie)).status,
    ).toBeLessThan(300);
    expect(await (await queue.getJob(id))!.getState()).not.toBe('delayed');
    await queue.obliterate({ force: true });
  });
});

describe.skipIf(skipBrowserTests)('signing in from a browser (Chromium)', () => {
  it('goes from /admin/login#token= to the read-only dashboard with an HttpOnly cookie; no URL the browser requests carries the token', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(`${readOnly.url}/admin/login#token=${admin.token}`);
      await page.waitForURL(`${readOnly.url}/admin/queues`);
      await page.getByText(readOnly.app.deps.queues.webhook.name).first().waitFor();
      expect(
        requested.filter((u) => u.includes(admin.token)),
        'requests whose URL holds the token',
      ).toEqual([]);
      const cookie = (await page.context().cookies()).find((c) => c.name === 'tl_admin');
      expect(cookie && { httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, path: cookie.path }).toEqual({
        httpOnly: true,
        sameSite: 'Strict',
        path: '/admin/queues',
      });
      expect(errors).toEqual([]);

      // A moderator's token is refused on the page itself, and no cookie is set.
      const other = await browser.newPage();
      await other.goto(`${readOnly.url}/admin/login#token=${moderator.token}`);
      await other.waitForFunction(() => !/^(Signing in…)?$/.test(document.getElementById('status')?.textContent ?? ''));
      expect(await other.locator('#status').textContent(), 'the page shows why').toBe('This is for admins');
      expect(other.url(), 'the fragment is gone from the address bar').toBe(`${readOnly.url}/admin/login`);
      expect((await other.context().cookies()).some((c) => c.name === 'tl_admin')).toBe(false);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
