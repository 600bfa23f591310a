import { randomBytes } from 'node:crypto';
import { createThreadline, type Threadline } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { connectRedis, createRedisClient, type RedisClient } from '../../server/store/redis.ts';
import { ON_CLUSTER, startRedis, type TestRedis } from './redis.ts';

export const TEST_SECRET = 'test-secret-0123456789-0123456789-abcdef';

/** Test servers get limits far above what tests send, except where a test sets them. */
export const RELAXED_LIMITS: Record<string, string> = {
  RATE_USER_SHORT: '100000',
  RATE_USER_LONG: '100000',
  RATE_IP: '100000',
  HANDSHAKES_PER_IP_PER_MINUTE: '100000',
  MAX_CONNECTIONS_PER_IP: '100000',
  MAX_CONNECTIONS_PER_USER: '100000',
  SOCKET_EVENTS_PER_SECOND: '100000',
  SOCKET_EVENT_BURST: '100000',
  RATE_REPORTS: '100000',
  RECOVERY_BYTES_PER_MINUTE: '1000000000',
};

export interface TestServer {
  url: string;
  port: number;
  app: Threadline;
  redis: RedisClient;
  prefix: string;
  close(): Promise<void>;
}

/** A real Threadline instance on a free port, talking to the given Redis under its own key prefix. */
export async function startServer(
  redisUrl: string,
  env: Record<string, string> = {},
  opts: { subscriberUrl?: string; queueUrl?: string } = {},
): Promise<TestServer> {
  const prefix = env.REDIS_PREFIX ?? `t${randomBytes(3).toString('hex')}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    AUTH_JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(ON_CLUSTER ? { REDIS_CLUSTER_NODES: new URL(redisUrl).host } : {}),
    ...RELAXED_LIMITS,
    ...env,
  });
  const log = createLogger(config.logLevel);
  const redis = await connectRedis(config.redis.clusterNodes ? { cluster: config.redis.clusterNodes } : redisUrl, log);
  const subscriber = opts.subscriberUrl ? createRedisClient(opts.subscriberUrl, 'subscriber') : undefined;
  const app = await createThreadline({ config, redis, log, jwtSecret: TEST_SECRET, subscriber, queueUrl: opts.queueUrl });
  const address = await app.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    app,
    redis,
    prefix,
    async close() {
      await app.close();
      redis.disconnect();
    },
  };
}

/**
 * A private redis-server and one Threadline instance on it, for a test file.
 * If the server fails to start, the Redis is stopped before the error surfaces.
 */
export async function startRedisAndServer(env: Record<string, string> = {}): Promise<{ redis: TestRedis; server: TestServer }> {
  const redis = await startRedis();
  try {
    return { redis, server: await startServer(redis.url, env) };
  } catch (err) {
    await redis.stop();
    throw err;
  }
}

export async function stopServerAndRedis(server: TestServer | undefined, redis: TestRedis | undefined): Promise<void> {
  await server?.close();
  await redis?.stop();
}

/** A tuple of N test servers. */
type Servers<N extends number, Acc extends TestServer[] = []> = Acc['length'] extends N ? Acc : Servers<N, [...Acc, TestServer]>;

/**
 * A private redis-server and `count` Threadline instances sharing it and one
 * key prefix (env.REDIS_PREFIX, else a fresh one): a small deployment, for a
 * test file. If an instance fails to start, what did start is stopped first.
 */
export async function startRedisAndServers<N extends number>(
  count: N,
  env: Record<string, string> = {},
): Promise<{ redis: TestRedis; servers: Servers<N> }> {
  const redis = await startRedis();
  const shared = { REDIS_PREFIX: `t${randomBytes(3).toString('hex')}:`, ...env };
  const servers: TestServer[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startServer(redis.url, shared));
    return { redis, servers: servers as Servers<N> };
  } catch (err) {
    await stopServersAndRedis(servers, redis);
    throw err;
  }
}

export async function stopServersAndRedis(servers: (TestServer | undefined)[], redis: TestRedis | undefined): Promise<void> {
  for (const server of servers) await server?.close();
  await redis?.stop();
}
