import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { freePort } from '../../server/bootstrap/redis.ts';
import type { RedisClient } from '../../server/store/redis.ts';
import { startRedisCluster } from './redis-cluster.ts';

/**
 * TEST_REDIS=cluster (npm run test:cluster): startRedis starts a 6-node Redis
 * Cluster instead of one redis-server, and test servers run on it
 * (startServer sets REDIS_CLUSTER_NODES), so a file runs unchanged on both.
 */
export const ON_CLUSTER = process.env.TEST_REDIS === 'cluster';

export interface TestRedis {
  url: string;
  port: number;
  /** A plain client for assertions and set-up (a Cluster client under TEST_REDIS=cluster). */
  client: RedisClient;
  /** Kills the server (SIGKILL) - for outage tests (not under TEST_REDIS=cluster). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A private redis-server for one test file: real Redis, no shared state. `args` override the defaults (e.g. --maxmemory-policy). */
export async function startRedis(args: string[] = []): Promise<TestRedis> {
  if (ON_CLUSTER) return startClusterAsTestRedis(args);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tl-redis-'));
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 200; i++) {
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await sleep(25);
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((res) => c.once('exit', res));
    c.kill('SIGKILL');
    await exited;
  };

  await launch();
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client,
    kill,
    restart: launch,
    async stop() {
      client.disconnect();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startClusterAsTestRedis(args: string[]): Promise<TestRedis> {
  const cluster = await startRedisCluster({ args });
  const port = cluster.nodes[0]!.port;
  const unsupported = () => Promise.reject(new Error('kill/restart of a whole Redis is not supported under TEST_REDIS=cluster'));
  return {
    // One node is enough: ioredis discovers the others (startServer turns this into REDIS_CLUSTER_NODES).
    url: `redis://127.0.0.1:${port}`,
    port,
    client: cluster.client,
    kill: unsupported,
    restart: unsupported,
    stop: () => cluster.stop(),
  };
}

/** The servers holding data: the masters of a Cluster (KEYS, SCAN and FLUSHALL see one node), else the one Redis. */
const dataNodes = (client: RedisClient): Redis[] => (client instanceof Cluster ? client.nodes('master') : [client]);

/** Every key whose name matches `pattern` (SCAN MATCH), on every master under TEST_REDIS=cluster. */
export async function keysMatching(client: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of dataNodes(client)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return found.sort();
}

/** FLUSHALL on every master under TEST_REDIS=cluster. */
export async function flushAll(client: RedisClient): Promise<void> {
  await Promise.all(dataNodes(client).map((node) => node.flushall()));
}
