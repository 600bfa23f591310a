import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { ignore } from '../domain/ignore.ts';
import { connectRedis, type RedisClient, type RedisTarget } from '../store/redis.ts';

export class RedisBootstrapError extends Error {}

export interface RedisHandle {
  target: RedisTarget;
  source: 'configured' | 'local' | 'private' | 'cluster';
  /** Stops the private redis-server if we started one. */
  stop(): Promise<void>;
}

/**
 * Where Threadline's Redis comes from: the Cluster in REDIS_CLUSTER_NODES if
 * set; else REDIS_URL if set; else a Redis already
 * answering at REDIS_PROBE_URL; else a private redis-server we start (AOF on,
 * data under DATA_DIR/redis) and stop on exit.
 */
export async function acquireRedis(config: Config, log: Logger, opts: { orStart: boolean } = { orStart: true }): Promise<RedisHandle> {
  const none = () => Promise.resolve();
  if (config.redis.clusterNodes) return { target: { cluster: config.redis.clusterNodes }, source: 'cluster', stop: none };
  if (config.redis.url) return { target: config.redis.url, source: 'configured', stop: none };
  if (await answersPing(config.redis.probeUrl)) {
    log.info({ url: config.redis.probeUrl }, 'REDIS_URL not set; using the Redis that answers locally');
    return { target: config.redis.probeUrl, source: 'local', stop: none };
  }
  if (!opts.orStart) {
    throw new RedisBootstrapError(
      `No Redis answers at ${config.redis.probeUrl} and REDIS_URL is not set: start the server (npm start) first, or set REDIS_URL to the servers' Redis.`,
    );
  }
  return startPrivateRedis(config, log);
}

/**
 * The Redis an entry point (`npm start`, `npm run workers`) runs on: acquired
 * (see acquireRedis), connected, and checked by checkRedisDurability. Throws
 * RedisBootstrapError with a message a person can act on.
 */
export async function openRedis(
  config: Config,
  log: Logger,
  opts?: { orStart: boolean },
): Promise<{ handle: RedisHandle; redis: RedisClient }> {
  const handle = await acquireRedis(config, log, opts);
  const redis = await connectRedis(handle.target, log);
  await checkRedisDurability(redis, config, log);
  return { handle, redis };
}

/**
 * Redis is Threadline's system of record, not a cache. A maxmemory-policy
 * other than noeviction lets Redis delete comments, logs and queued jobs when
 * memory runs short, silently; noeviction refuses writes instead (clients get
 * `unavailable`, nothing already acknowledged is lost). In production that
 * refuses the start; elsewhere it is a warning. AOF off is a warning: a crash
 * would lose everything since the last snapshot.
 *
 * Read with INFO, which managed Redis services allow where CONFIG is renamed;
 * on a Cluster, from every master (each holds part of the data).
 */
export async function checkRedisDurability(redis: RedisClient, config: Config, log: Logger): Promise<void> {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const server of servers) await checkServerDurability(server, config, log);
}

async function checkServerDurability(redis: Redis, config: Config, log: Logger): Promise<void> {
  const [memoryText, persistenceText] = await Promise.all([redis.info('memory'), redis.info('persistence')]);
  const info = parseInfo(memoryText);
  const persistence = parseInfo(persistenceText);
  const policy = info.get('maxmemory_policy');
  if (policy !== 'noeviction') {
    const message = [
      `Redis has maxmemory-policy ${policy ?? '(unknown)'}: when its memory fills it would delete Threadline's data (comments, recovery logs, queued jobs) without a word.`,
      'Threadline keeps its data in Redis; run Redis with maxmemory-policy noeviction:',
      '  redis-server --maxmemory-policy noeviction   (or CONFIG SET maxmemory-policy noeviction, then CONFIG REWRITE)',
    ].join('\n');
    if (config.env === 'production') throw new RedisBootstrapError(message);
    log.warn({ maxmemoryPolicy: policy }, message);
  }
  if (persistence.get('aof_enabled') === '0' && config.env === 'production') {
    log.warn(
      { appendonly: 'no' },
      'Redis AOF is off (appendonly no): a Redis crash or restart loses every comment written since its last snapshot. Run it with --appendonly yes --appendfsync everysec (README: Durability).',
    );
  }
}

function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

async function answersPing(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // A refused probe is the answer (no Redis there), reported by the result below.
  probe.on('error', ignore);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function startPrivateRedis(config: Config, log: Logger): Promise<RedisHandle> {
  const dir = resolve(config.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  await stopStaleServer(dir);
  // Listen where we looked for a local Redis, so `npm run demo` and a restart find it again.
  const probePort = Number(new URL(config.redis.probeUrl).port || 6379);
  const port = (await isPortFree(probePort)) ? probePort : await freePort();
  const child = spawn(
    config.redis.serverBin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--pidfile',
      join(dir, 'redis.pid'),
      '--logfile',
      join(dir, 'redis.log'),
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const spawned = await new Promise<Error | null>((res) => {
    child.once('spawn', () => res(null));
    child.once('error', (err) => res(err));
  });
  if (spawned) {
    throw new RedisBootstrapError(
      [
        'Threadline needs Redis and found none:',
        '  - REDIS_URL is not set,',
        `  - nothing answers at ${config.redis.probeUrl},`,
        `  - and "${config.redis.serverBin}" could not be started (${(spawned as NodeJS.ErrnoException).code ?? spawned.message}).`,
        'Fix one of these:',
        '  1. point REDIS_URL at a running Redis 7, e.g. REDIS_URL=redis://127.0.0.1:6379 npm start',
        '  2. install Redis so Threadline can start a private one: apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)',
      ].join('\n'),
    );
  }
  const url = `redis://127.0.0.1:${port}`;
  await waitUntilReady(url, child, dir);
  log.info({ url, dir }, 'started a private redis-server (AOF on); it stops when Threadline stops');
  return { target: url, source: 'private', stop: () => stopChild(child) };
}

async function waitUntilReady(url: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answersPing(url)) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  let tail = '';
  try {
    tail = readFileSync(join(dir, 'redis.log'), 'utf8').split('\n').slice(-8).join('\n');
  } catch {
    // no log written
  }
  throw new RedisBootstrapError(`The private redis-server did not start. Its log (${dir}/redis.log) ends:\n${tail}`);
}

/** A redis-server left running on our data directory by a crashed run must not share the AOF with a new one. */
async function stopStaleServer(dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('redis-server')) return;
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const timeout = sleep(5_000).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}
