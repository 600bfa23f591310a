import { readFileSync } from 'node:fs';
import proxyaddr from 'proxy-addr';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, startServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { eventually } from './support/wait.ts';
import { parse as parseYaml } from 'yaml';

let redis: TestRedis;
let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  user = await makeUser();
});

afterAll(() => stopServerAndRedis(server, redis));

describe('health and metrics', () => {
  it('reports liveness and readiness', async () => {
    expect((await request(server.url).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(server.url).get('/readyz')).body).toEqual({ status: 'ok' });
  });

  it('exposes Prometheus metrics: sockets, comments posted, ack latency, errors by code', async () => {
    await request(server.url)
      .post('/api/threads/m/comments')
      .set('Authorization', `Bearer ${user.token}`)
      .send({ body: 'count me' })
      .expect(201);
    await request(server.url).post('/api/threads/m/comments').send({ body: 'anon' }).expect(401);
    const res = await request(server.url).get('/metrics').expect(200);
    expect(res.text).toMatch(/threadline_comments_posted_total\{transport="http"\} 1/);
    expect(res.text).toMatch(/threadline_errors_total\{transport="http",code="unauthenticated"\} 1/);
    expect(res.text).toMatch(/threadline_ack_latency_seconds_bucket/);
    expect(res.text).toMatch(/threadline_sockets_connected 0/);
    expect(res.text).toMatch(/process_resident_memory_bytes/);
  });
});

const METRICS_SPELLINGS = ['/metrics/', '/METRICS', '/Metrics', '//metrics', '/metrics//'];

describe('/metrics has one spelling', () => {
  it('answers 404 to other spellings (case, trailing or doubled slashes), which a proxy rule for /metrics could miss', async () => {
    expect((await request(server.url).get('/metrics')).status, '/metrics itself').toBe(200);
    for (const path of METRICS_SPELLINGS) {
      const res = await request(server.url).get(path);
      expect(res.status, `GET ${path}`).toBe(404);
      expect(res.text, `GET ${path}`).not.toMatch(/threadline_sockets_connected/);
    }
  });
});

describe('METRICS_TOKEN', () => {
  it('closes /metrics to anyone without it (401), and opens it to its bearer', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await startServer(redis.url, { METRICS_TOKEN: token });
    try {
      const open = await request(guarded.url).get('/metrics');
      expect({ status: open.status, code: open.body.error?.code, challenge: open.headers['www-authenticate'] }, 'no token').toEqual({
        status: 401,
        code: 'unauthenticated',
        challenge: 'Bearer',
      });
      expect(
        (await request(guarded.url).get('/metrics').set('Authorization', 'Bearer not-the-metrics-token')).status,
        'a wrong token',
      ).toBe(401);
      expect(
        (await request(guarded.url).get('/metrics').set('Authorization', `Bearer ${user.token}`)).status,
        "a reader's JWT is not the metrics token",
      ).toBe(401);
      const ok = await request(guarded.url).get('/metrics').set('Authorization', `Bearer ${token}`);
      expect(ok.status, 'the token').toBe(200);
      expect(ok.text).toMatch(/threadline_sockets_connected/);
    } finally {
      await guarded.close();
    }
  });
});

describe('pages the server serves', () => {
  const PAGES = ['/demo/csp-thread', '/moderate', '/admin/login'];

  it("may be framed only by this site by default (CSP frame-ancestors 'self'), or by whom FRAME_ANCESTORS names", async () => {
    for (const page of PAGES) {
      const res = await request(server.url).get(page).expect(200);
      expect(res.headers['content-security-policy'], `${page}: CSP`).toMatch(/(^|; )frame-ancestors 'self'($|;)/);
    }
    const strict = await startServer(redis.url, { FRAME_ANCESTORS: "'none'" });
    try {
      for (const page of PAGES) {
        const res = await request(strict.url).get(page).expect(200);
        expect(res.headers['content-security-policy'], `${page} with FRAME_ANCESTORS='none'`).toMatch(/(^|; )frame-ancestors 'none'($|;)/);
      }
    } finally {
      await strict.close();
    }
  });
});

describe('when Redis goes away', () => {
  it('fails fast with 503 unavailable, reports not ready, and recovers when Redis returns', async () => {
    await redis.kill();
    const started = Date.now();
    const res = await request(server.url)
      .post('/api/threads/outage/comments')
      .set('Authorization', `Bearer ${user.token}`)
      .send({ body: 'hello?' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(3_500);
    expect((await request(server.url).get('/readyz')).status).toBe(503);
    expect((await request(server.url).get('/healthz')).status).toBe(200);

    await redis.restart();
    await eventually(
      async () => {
        const back = await request(server.url)
          .post('/api/threads/outage/comments')
          .set('Authorization', `Bearer ${user.token}`)
          .send({ body: 'back' });
        expect(back.status, 'posting works again once Redis is back').toBe(201);
      },
      10_000,
      100,
    );
    expect((await request(server.url).get('/readyz')).status, 'ready again once Redis is back').toBe(200);
  });
});

/** docker-compose.yml as compose reads it: merge keys followed, ${VAR:-default} interpolated with nothing set. */
function composeFile(): { services: Record<string, Service>; networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }> } {
  const text = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8').replace(
    /\$\{(\w+)(?::?-([^}]*))?\}/g,
    (_m, _name, def: string | undefined) => def ?? '',
  );
  return parseYaml(text, { merge: true });
}
type Service = { image?: string; command?: unknown; environment?: Record<string, string>; networks?: string[] | Record<string, unknown> };

describe('the shipped deployment (docker-compose.yml and deploy/nginx.conf)', () => {
  it("servers believe X-Forwarded-For from nginx's network, and nginx writes it from the connection, not from the client", () => {
    const { services, networks } = composeFile();
    const lb = Object.values(services).find((s) => s.image?.startsWith('nginx'));
    expect(lb, 'docker-compose.yml has an nginx service').toBeDefined();
    const lbNetworks = lb!.networks === undefined ? ['default'] : Array.isArray(lb!.networks) ? lb!.networks : Object.keys(lb!.networks);
    const subnets = lbNetworks.flatMap((n) => networks?.[n]?.ipam?.config?.map((c) => c.subnet) ?? []);
    expect(subnets.length, `nginx's network (${lbNetworks.join(', ')}) has a fixed subnet for TRUSTED_PROXIES to name`).toBeGreaterThan(0);

    // The servers: built from this repository and running `npm start` (no command of their own).
    const servers = Object.entries(services).filter(([, s]) => !s.image && s.command === undefined);
    expect(servers.map(([name]) => name)).toEqual(['server1', 'server2']);
    for (const [name, s] of servers) {
      const trusted = (s.environment?.TRUSTED_PROXIES ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      expect(
        trusted.length,
        `${name} sets TRUSTED_PROXIES (without it every reader shares nginx's address and per-IP budgets)`,
      ).toBeGreaterThan(0);
      const trust = proxyaddr.compile(trusted);
      for (const subnet of subnets) {
        for (const addr of edges(subnet!))
          expect(trust(addr, 0), `${name}'s TRUSTED_PROXIES (${trusted.join(',')}) covers ${addr} in nginx's network ${subnet}`).toBe(true);
      }
    }

    const nginx = readFileSync(new URL('../deploy/nginx.conf', import.meta.url), 'utf8');
    const header = (name: string) => new RegExp(`^\\s*proxy_set_header\\s+${name}\\s+(\\S+);`, 'im').exec(nginx)?.[1];
    expect(
      header('X-Forwarded-For'),
      'nginx is the edge: X-Forwarded-For is the address it saw ($remote_addr), so a client cannot add its own',
    ).toBe('$remote_addr');
    expect(header('X-Forwarded-Proto'), 'nginx tells the servers whether the reader used https').toBe('$scheme');
  });

  it('nginx serves both Socket.IO transports: a sticky upstream for long-polling, Upgrade headers for websocket', () => {
    const nginx = readFileSync(new URL('../deploy/nginx.conf', import.meta.url), 'utf8');
    const active = nginx.replace(/#.*$/gm, '');
    const upstream = /^\s*upstream\s+\S+\s*\{([^}]*)\}/m.exec(active)?.[1] ?? '';
    expect(upstream, 'deploy/nginx.conf has an upstream block').not.toBe('');
    // One reader's polling requests must reach the server that holds its session; the key is the address
    // X-Forwarded-For is written from, not a header the client could vary.
    expect(
      /^\s*(ip_hash|hash\s+\$remote_addr(\s+consistent)?)\s*;/m.test(upstream),
      'the upstream is sticky on the client address (ip_hash or hash $remote_addr): long-polling breaks on a round robin',
    ).toBe(true);
    const directive = (name: string) => new RegExp(`^\\s*${name}\\s+([^;]+);`, 'im').exec(active)?.[1]?.trim();
    expect(directive('proxy_set_header\\s+Upgrade'), 'websocket upgrades are passed on').toBe('$http_upgrade');
    expect(directive('proxy_http_version'), 'upgrades need HTTP/1.1 upstream').toBe('1.1');
    expect(directive('proxy_buffering'), 'long-poll answers reach the client as they come').toBe('off');
    const timeout = Number(/^(\d+)s$/.exec(directive('proxy_read_timeout') ?? '')?.[1] ?? 60);
    expect(timeout, "a long poll (held up to the 25 s ping interval) or an idle websocket outlives nginx's read timeout").toBeGreaterThan(
      25 + 20,
    );
  });

  it('nginx answers 404 to /metrics in every spelling Express would route to it', () => {
    const nginx = readFileSync(new URL('../deploy/nginx.conf', import.meta.url), 'utf8');
    // Locations whose whole body is `return 404;`: exact (=), case-sensitive (~) or case-insensitive (~*) regex.
    const blocked = [...nginx.matchAll(/^\s*location\s+(=|~\*|~)\s+(\S+)\s*\{\s*return\s+404;\s*\}/gm)].map(([, kind, pattern]) =>
      kind === '=' ? (path: string) => path === pattern : (path: string) => new RegExp(pattern!, kind === '~*' ? 'i' : '').test(path),
    );
    for (const path of ['/metrics', ...METRICS_SPELLINGS])
      expect(
        blocked.some((b) => b(path)),
        `nginx blocks ${path}`,
      ).toBe(true);
    for (const path of ['/metricsx', '/api/metrics', '/healthz'])
      expect(
        blocked.some((b) => b(path)),
        `nginx lets ${path} through`,
      ).toBe(false);
  });
});

describe('the shipped Redis (docker-compose.yml)', () => {
  it('keeps what it acknowledged: AOF with fsync every second, and never evicts keys', () => {
    const redis = Object.values(composeFile().services).find((s) => s.image?.startsWith('redis'));
    const args = ((redis?.command ?? []) as string[]).join(' ');
    expect(args, 'redis-server arguments in docker-compose.yml').toContain('--appendonly yes');
    expect(args).toContain('--appendfsync everysec');
    expect(args).toContain('--maxmemory-policy noeviction');
  });
});

/** The first and last host addresses of an IPv4 CIDR. */
function edges(cidr: string): string[] {
  const [base, bits] = cidr.split('/') as [string, string];
  const n = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  const start = n - (n % size);
  const ip = (v: number) => [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
  return [ip(start + 1), ip(start + size - 2)];
}
