import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from './support/clients.ts';
import { Balancer, type ForwardedFor } from './support/balancer.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';

/**
 * The shipped deployment in miniature: servers behind a balancer that forwards
 * X-Forwarded-For the way deploy/nginx.conf tells nginx to. 127.0.0.0/24 stands
 * for the compose network (TRUSTED_PROXIES in docker-compose.yml): the balancer
 * is 127.0.0.1 in it, and a client arriving from inside it (127.0.0.5) is like
 * traffic reaching nginx through docker's gateway. Readers out on the internet
 * are 127.0.1.x; a hop nobody trusts is 127.0.2.1.
 */
const NETWORK = '127.0.0.0/24';
const LIMITS = { TRUSTED_PROXIES: NETWORK, RATE_IP: '3', RATE_IP_SECONDS: '60', HANDSHAKES_PER_IP_PER_MINUTE: '3' };

function nginxForwardedFor(): ForwardedFor {
  const conf = readFileSync(new URL('../deploy/nginx.conf', import.meta.url), 'utf8');
  const value = /^\s*proxy_set_header\s+X-Forwarded-For\s+(\S+)\s*;/im.exec(conf)?.[1];
  if (value !== '$remote_addr' && value !== '$proxy_add_x_forwarded_for')
    throw new Error(`deploy/nginx.conf sets X-Forwarded-For to ${value ?? 'nothing'}`);
  return value;
}

let redis: TestRedis;
let server: TestServer;
let trustsNobody: TestServer;
let nginx: Balancer;
let nginxForNobody: Balancer;
let untrustedHop: Balancer;

beforeAll(async () => {
  redis = await startRedis();
  server = await startServer(redis.url, LIMITS);
  trustsNobody = await startServer(redis.url, { ...LIMITS, TRUSTED_PROXIES: '' });
  const mode = nginxForwardedFor();
  nginx = new Balancer(() => [server.port], { xForwardedFor: mode });
  nginxForNobody = new Balancer(() => [trustsNobody.port], { xForwardedFor: mode });
  untrustedHop = new Balancer(() => [server.port], { xForwardedFor: '$remote_addr', localAddress: '127.0.2.1' });
  await Promise.all([nginx.start(), nginxForNobody.start(), untrustedHop.start()]);
});

afterAll(async () => {
  await Promise.all([nginx?.stop(), nginxForNobody?.stop(), untrustedHop?.stop()]);
  await server?.close();
  await trustsNobody?.close();
  await redis?.stop();
});

/** A REST post from a client bound to `from`, through `via`. */
async function postFrom(
  via: Balancer,
  from: string,
  threadId: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; scope?: string }> {
  const { token } = await makeUser();
  const payload = JSON.stringify({ body: `hello from ${from}` });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${via.url}/api/threads/${threadId}/comments`,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
          authorization: `Bearer ${token}`,
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, scope: text ? JSON.parse(text).error?.details?.scope : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One websocket handshake from a client bound to `from`, through `via`: 'connected' (closed at once) or the refusal's scope. */
function handshakeFrom(via: Balancer, from: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(via.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      localAddress: from,
      extraHeaders: headers,
    } as Parameters<typeof connect>[1]);
    s.once('connect', () => (s.disconnect(), resolve('connected')));
    s.once(
      'connect_error',
      (err) => (
        s.disconnect(),
        resolve(`refused:${(err as { data?: { details?: { scope?: string } } }).data?.details?.scope ?? err.message}`)
      ),
    );
  });
}

async function postsFrom(
  via: Balancer,
  from: string,
  threadId: string,
  n: number,
  headers: (i: number) => Record<string, string> = () => ({}),
) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await postFrom(via, from, threadId, headers(i));
    out.push(r.status === 201 ? '201' : `${r.status}:${r.scope}`);
  }
  return out;
}

async function handshakesFrom(via: Balancer, from: string, n: number, headers: (i: number) => Record<string, string> = () => ({})) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await handshakeFrom(via, from, headers(i)));
  return out;
}

describe('readers behind the shipped nginx', () => {
  it('each get their own per-IP budget, for REST posts and for socket handshakes', async () => {
    expect(await postsFrom(nginx, '127.0.1.1', 'px-budget', 4), 'reader A: 3 posts a minute, then refused by the per-IP limit').toEqual([
      '201',
      '201',
      '201',
      '429:ip',
    ]);
    expect(await postsFrom(nginx, '127.0.1.2', 'px-budget', 1), 'reader B, behind the same nginx, still has their budget').toEqual(['201']);

    expect(await handshakesFrom(nginx, '127.0.1.1', 4), 'reader A: 3 new sockets a minute').toEqual([
      'connected',
      'connected',
      'connected',
      'refused:handshake',
    ]);
    expect(await handshakesFrom(nginx, '127.0.1.2', 1), 'reader B still connects').toEqual(['connected']);
  });

  it("all share one budget, nginx's, when the servers trust no proxy (what docker-compose shipped without TRUSTED_PROXIES)", async () => {
    expect(await postsFrom(nginxForNobody, '127.0.1.3', 'px-nobody', 3)).toEqual(['201', '201', '201']);
    expect(
      await postsFrom(nginxForNobody, '127.0.1.4', 'px-nobody', 1),
      "another reader is refused: the budget was the balancer's",
    ).toEqual(['429:ip']);
  });

  it('cannot pick their own address: what a client puts in X-Forwarded-For does not get past nginx, even from inside the trusted network', async () => {
    let n = 0;
    const spoofed = () => ({ 'X-Forwarded-For': `198.51.100.${++n}` });
    expect(
      await postsFrom(nginx, '127.0.0.5', 'px-spoof', 4, spoofed),
      'four posts claiming four addresses: the fourth is refused',
    ).toEqual(['201', '201', '201', '429:ip']);
    expect(await handshakesFrom(nginx, '127.0.0.5', 4, spoofed), 'four handshakes claiming four addresses: the fourth is refused').toEqual([
      'connected',
      'connected',
      'connected',
      'refused:handshake',
    ]);
  });
});

describe('X-Forwarded-For from a hop outside TRUSTED_PROXIES', () => {
  it("is ignored: every client behind that hop spends the hop's own budget", async () => {
    expect(await postsFrom(untrustedHop, '127.0.1.10', 'px-hop', 3)).toEqual(['201', '201', '201']);
    expect(
      await postsFrom(untrustedHop, '127.0.1.11', 'px-hop', 1),
      "another client behind the untrusted hop: refused, the budget is the hop's",
    ).toEqual(['429:ip']);
    expect(await handshakesFrom(untrustedHop, '127.0.1.12', 3)).toEqual(['connected', 'connected', 'connected']);
    expect(await handshakesFrom(untrustedHop, '127.0.1.13', 1), "the hop's handshake budget is spent").toEqual(['refused:handshake']);
    // The same clients through the trusted nginx still have theirs.
    expect(await postsFrom(nginx, '127.0.1.11', 'px-hop', 1)).toEqual(['201']);
    expect(await handshakesFrom(nginx, '127.0.1.13', 1)).toEqual(['connected']);
  });
});
