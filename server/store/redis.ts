import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * The connection for request handling. It fails fast instead of queueing:
 * while Redis is down a post gets `unavailable` at once rather than hanging,
 * and a command cut off by a dropped connection is not silently re-sent
 * (a retried post is made safe by the client's clientId, not by us).
 */
const COMMAND_CONNECTION: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 3_000,
  connectTimeout: 3_000,
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  // Commands issued in the same tick (a request's independent reads, many
  // clients posting at once) travel to Redis in one write.
  enableAutoPipelining: true,
};

/**
 * The connection Socket.IO's adapter receives on. Subscriptions made while
 * Redis is away wait for it, and ioredis re-subscribes after a reconnect.
 */
export const SUBSCRIBER_CONNECTION: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: true,
  autoResubscribe: true,
  maxRetriesPerRequest: null,
  connectTimeout: 3_000,
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
};

export async function connectRedis(url: string, log: Logger | undefined, options: RedisOptions = COMMAND_CONNECTION): Promise<Redis> {
  const redis = new Redis(url, options);
  logConnectionErrors(redis, log, 'redis connection error');
  if (options.lazyConnect) await redis.connect();
  return redis;
}

/**
 * Without a listener an 'error' event would crash the process; while Redis is
 * down ioredis emits one per reconnect attempt, so log only now and then
 * (a timer for the log, not business time: the system clock).
 */
export function logConnectionErrors(connection: Pick<Redis, 'on'>, log: Logger | undefined, message: string): void {
  let lastLogged = 0;
  connection.on('error', (err: Error) => {
    const now = Date.now();
    if (now - lastLogged < 10_000) return;
    lastLogged = now;
    log?.warn({ err: err.message }, message);
  });
}
