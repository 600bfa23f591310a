import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../server/bootstrap/redis.ts';
import { spawnServer, waitReady, type Instance } from './support/cluster.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { TEST_SECRET } from './support/server.ts';

type Started = Instance & { exited: Promise<number | null>; dataDir: string | undefined };
const started: Started[] = [];
const dirs: string[] = [];
const redises: TestRedis[] = [];

afterEach(async () => {
  // Processes first: a redis-server left running would keep writing into its data directory.
  await Promise.all(started.splice(0).map(stop));
  await Promise.all(redises.splice(0).map((r) => r.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A DATA_DIR for one test, removed after it. */
function dataDirForTest(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tl-start-'));
  dirs.push(dir);
  return dir;
}

/** `npm start` listening on `port`, with only `env` (plus PATH and HOME); stopped after the test. */
function start(port: number, env: Record<string, string>): Started {
  const instance = spawnServer(port, {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_LEVEL: 'info',
    PORT: String(port),
    ...env,
  });
  const exited = new Promise<number | null>((resolve) => instance.process.once('exit', (code) => resolve(code)));
  const app: Started = { ...instance, exited, dataDir: env.DATA_DIR };
  started.push(app);
  return app;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) if (!alive(pid)) return true;
  return !alive(pid);
}

/**
 * Stops `npm start` the way an operator would (SIGTERM, which also stops its
 * private redis-server), SIGKILL if it hangs; then, if its redis-server
 * outlived it (the app was killed, or died before handling signals), stops that
 * too: found by the pid file under DATA_DIR and checked to be a redis-server
 * running in that directory before it is signalled.
 */
async function stop(app: Started): Promise<void> {
  if (app.process.exitCode === null && app.process.signalCode === null) {
    app.process.kill('SIGTERM');
    const done = await Promise.race([app.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      app.process.kill('SIGKILL');
      await app.exited;
    }
  }
  if (!app.dataDir) return;
  const redisDir = join(app.dataDir, 'redis');
  let pid: number;
  try {
    pid = Number(readFileSync(join(redisDir, 'redis.pid'), 'utf8').trim());
  } catch {
    return; // never started, or shut down cleanly (redis-server removes its pid file)
  }
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
  try {
    // redis-server rewrites its command line, but runs in its --dir.
    if (realpathSync(readlinkSync(`/proc/${pid}/cwd`)) !== realpathSync(redisDir)) return;
  } catch {
    return;
  }
  process.kill(pid, 'SIGTERM');
  if (!(await waitGone(pid, 5_000))) {
    process.kill(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
  }
}

const portOpen = async (port: number) => {
  const { createConnection } = await import('node:net');
  return new Promise<boolean>((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
};

describe('npm start', () => {
  it('starts a private redis-server (AOF under DATA_DIR) when none is configured or found, and stops it on SIGTERM', async () => {
    const dataDir = dataDirForTest();
    const [port, emptyPort] = [await freePort(), await freePort()];
    const app = start(port, { DATA_DIR: dataDir, REDIS_PROBE_URL: `redis://127.0.0.1:${emptyPort}` });
    await waitReady(app);

    expect(app.output()).toContain('started a private redis-server');
    expect(app.output()).toContain('npm run -s token -- --sub u1');
    expect(await portOpen(emptyPort)).toBe(true);
    expect(readdirSync(join(dataDir, 'redis')).join(' ')).toMatch(/appendonly/);
    expect(existsSync(join(dataDir, 'dev-jwt-secret'))).toBe(true);

    app.process.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(await portOpen(emptyPort)).toBe(false);
  });

  it('exits with one clear message naming both fixes when there is no Redis and no redis-server binary', async () => {
    const dataDir = dataDirForTest();
    const app = start(await freePort(), {
      DATA_DIR: dataDir,
      REDIS_PROBE_URL: `redis://127.0.0.1:${await freePort()}`,
      REDIS_SERVER_BIN: '/nonexistent/redis-server',
    });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/REDIS_URL/);
    expect(app.output()).toMatch(/apt-get install redis-server/);
  });

  it('refuses to start in production without AUTH_JWT_SECRET', async () => {
    const app = start(await freePort(), { NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/AUTH_JWT_SECRET is required/);
  });
});

describe('npm run workers', () => {
  it("joins the servers' Redis or exits saying so; it never starts one, nor stops the one npm start left in DATA_DIR", async () => {
    const dataDir = dataDirForTest();
    const redisDir = join(dataDir, 'redis');
    mkdirSync(redisDir);
    // A redis-server that npm start would own: its pid file in DATA_DIR, on a port the workers do not probe.
    const owned = spawn(
      'redis-server',
      [
        '--port',
        String(await freePort()),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        redisDir,
        '--pidfile',
        join(redisDir, 'redis.pid'),
      ],
      { stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 100 && !existsSync(join(redisDir, 'redis.pid')); i++) await sleep(50);
      const workers = spawn(process.execPath, ['--import', 'tsx', 'main/workers.ts'], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          DATA_DIR: dataDir,
          REDIS_PROBE_URL: `redis://127.0.0.1:${await freePort()}`,
          WORKERS_PORT: String(await freePort()),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      workers.stdout.on('data', (d) => (output += d));
      workers.stderr.on('data', (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => workers.once('exit', resolve));
      expect({ code, output }).toMatchObject({ code: 1, output: expect.stringMatching(/start the server \(npm start\) first/) });
      expect(owned.exitCode, 'the redis-server in DATA_DIR is still running').toBeNull();
    } finally {
      owned.kill('SIGKILL');
    }
  });
});

/** A redis-server for one test with these settings, stopped after it. */
async function redisWith(...args: string[]): Promise<TestRedis> {
  const redis = await startRedis(args);
  redises.push(redis);
  return redis;
}

/** `npm run workers` with only `env` (plus PATH and HOME); stopped after the test. */
function startWorkers(port: number, env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/workers.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', WORKERS_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const app: Started = { port, url: `http://127.0.0.1:${port}`, process: child, output: () => output, exited, dataDir: undefined };
  started.push(app);
  return app;
}

/** Starting a tsx process takes seconds, many on a busy machine. */
const SPAWN_TEST_MS = 60_000;

/** What the process did first: exited (with its code) or answered `path` (it started). */
async function outcome(app: Started, path: string): Promise<{ exited: number | null } | 'started'> {
  const deadline = Date.now() + SPAWN_TEST_MS - 10_000;
  const done = app.exited.then((code) => ({ exited: code }));
  while (Date.now() < deadline) {
    const first = await Promise.race([done, sleep(100).then(() => undefined)]);
    if (first) return first;
    try {
      if ((await fetch(`${app.url}${path}`)).ok) return 'started';
    } catch {
      // not listening yet
    }
  }
  throw new Error(`neither started nor exited in time:\n${app.output()}`);
}

describe('in production, the Redis Threadline relies on', () => {
  const production = (redis: TestRedis) => ({ NODE_ENV: 'production', REDIS_URL: redis.url, AUTH_JWT_SECRET: TEST_SECRET });

  it(
    'must not evict keys: npm start and npm run workers refuse maxmemory-policy allkeys-lru, saying how to fix it',
    async () => {
      const redis = await redisWith('--maxmemory-policy', 'allkeys-lru', '--appendonly', 'yes');
      const server = start(await freePort(), production(redis));
      const workers = startWorkers(await freePort(), production(redis));
      for (const [name, app, path] of [
        ['npm start', server, '/readyz'],
        ['npm run workers', workers, '/healthz'],
      ] as const) {
        expect(await outcome(app, path), `${name} on a Redis with maxmemory-policy allkeys-lru`).toEqual({ exited: 1 });
        expect(app.output(), `${name} says why`).toMatch(/maxmemory-policy allkeys-lru/);
        expect(app.output(), `${name} says what to set`).toMatch(/--maxmemory-policy noeviction/);
      }
    },
    SPAWN_TEST_MS,
  );

  it(
    'starts on noeviction with AOF off, warning that a crash would lose what was written since the last snapshot',
    async () => {
      const redis = await redisWith('--maxmemory-policy', 'noeviction', '--appendonly', 'no');
      const server = start(await freePort(), production(redis));
      expect(await outcome(server, '/readyz'), 'npm start on noeviction, AOF off').toBe('started');
      expect(server.output(), 'the warning about AOF').toMatch(/"level":40.*Redis AOF is off \(appendonly no\)/);
    },
    SPAWN_TEST_MS,
  );
});

describe('npm run workers without AUTH_JWT_SECRET', () => {
  it(
    'starts in production: workers verify no tokens, so they do not need the secret',
    async () => {
      const redis = await redisWith('--maxmemory-policy', 'noeviction', '--appendonly', 'yes');
      const workers = startWorkers(await freePort(), { NODE_ENV: 'production', REDIS_URL: redis.url });
      const result = await outcome(workers, '/healthz');
      expect(result, `npm run workers, NODE_ENV=production, no AUTH_JWT_SECRET:\n${workers.output()}`).toBe('started');
    },
    SPAWN_TEST_MS,
  );
});

describe('METRICS_TOKEN', () => {
  it(
    "closes the workers' /metrics to anyone without it",
    async () => {
      const redis = await redisWith();
      const token = 'metrics-token-0123456789';
      const workers = startWorkers(await freePort(), { REDIS_URL: redis.url, AUTH_JWT_SECRET: TEST_SECRET, METRICS_TOKEN: token });
      expect(await outcome(workers, '/healthz')).toBe('started');
      const scrape = (auth?: string) => fetch(`${workers.url}/metrics`, auth ? { headers: { authorization: auth } } : {});
      expect((await scrape()).status, 'no token').toBe(401);
      expect((await scrape('Bearer not-the-metrics-token')).status, 'a wrong token').toBe(401);
      const ok = await scrape(`Bearer ${token}`);
      expect(ok.status, 'the token').toBe(200);
      expect(await ok.text()).toContain('threadline_queue_jobs');
    },
    SPAWN_TEST_MS,
  );
});
