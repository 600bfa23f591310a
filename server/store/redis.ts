import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ClusterNode } from '../config.ts';
import type { Logger } from '../logger.ts';

/** A connection to Threadline's Redis: one server, or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/** Where Redis is: a redis:// URL, or some nodes of a Redis Cluster (ioredis finds the rest). */
export type RedisTarget = string | { cluster: ClusterNode[] };

/**
 * What a connection is for. Every connection Threadline opens is made here,
 * so a Cluster deployment switches all of them at once.
 *
 * - command: request handling. Fails fast instead of queueing: while Redis is
 *   down a post gets `unavailable` at once rather than hanging, and a command
 *   cut off by a dropped connection is not silently re-sent (a retried post
 *   is made safe by the client's clientId, not by us).
 * - subscriber: Socket.IO's adapter receives on it. Subscriptions made while
 *   Redis is away wait for it, and are made again after a reconnect; on a
 *   Cluster, one SSUBSCRIBE connection per master (ioredis shardedSubscribers),
 *   re-made when slots move (failover, resharding).
 * - queue: BullMQ producers. Fail fast like commands, not auto-pipelined (see jobs/queues.ts).
 * - worker: BullMQ workers block on Redis and wait out outages rather than fail.
 */
export type ConnectionRole = 'command' | 'subscriber' | 'queue' | 'worker';

const retryStrategy = (attempt: number) => Math.min(50 * 2 ** attempt, 2_000);

const FAIL_FAST: RedisOptions = {
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: 3_000,
  connectTimeout: 3_000,
};

const NODE_OPTIONS: Record<ConnectionRole, RedisOptions> = {
  command: FAIL_FAST,
  // Explicitly without the fail-fast timeout: a duplicate of the command connection would inherit it, and
  // BullMQ's blocking reads (and a subscription) wait far longer than 3 s.
  subscriber: {
    autoResubscribe: true,
    maxRetriesPerRequest: null,
    connectTimeout: 3_000,
    commandTimeout: undefined,
    autoResendUnfulfilledCommands: true,
  },
  queue: FAIL_FAST,
  worker: { maxRetriesPerRequest: null, connectTimeout: 3_000, commandTimeout: undefined, autoResendUnfulfilledCommands: true },
};

const OFFLINE_QUEUE: Record<ConnectionRole, boolean> = { command: false, subscriber: true, queue: false, worker: true };

// Commands issued in the same tick (a request's independent reads, many clients
// posting at once) travel to Redis in one write (per node, on a Cluster). Not for
// BullMQ's connections: each auto-pipeline is a Pipeline, which copies BullMQ's
// ~50 defined commands into itself.
const AUTO_PIPELINE: Record<ConnectionRole, boolean> = { command: true, subscriber: false, queue: false, worker: false };

function redisOptions(role: ConnectionRole): RedisOptions {
  return {
    ...NODE_OPTIONS[role],
    lazyConnect: true,
    enableOfflineQueue: OFFLINE_QUEUE[role],
    enableAutoPipelining: AUTO_PIPELINE[role],
    retryStrategy,
  };
}

function clusterOptions(role: ConnectionRole): ClusterOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: OFFLINE_QUEUE[role],
    enableAutoPipelining: AUTO_PIPELINE[role],
    shardedSubscribers: role === 'subscriber',
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    // A failed-over slot answers MOVED (or CLUSTERDOWN for a moment); ioredis refreshes its slot map and retries.
    // A master that died answers nothing; the slot map is also re-read every second, so a client learns of
    // the promoted replica without waiting for a failed command to trigger the re-read.
    slotsRefreshInterval: 1_000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    redisOptions: NODE_OPTIONS[role],
  };
}

export function describeTarget(target: RedisTarget): string {
  return typeof target === 'string' ? target : `cluster ${target.cluster.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/** A connection for `role`, not yet connected (call connect(), or let the library do it). */
export function createRedisClient(target: RedisTarget, role: ConnectionRole): RedisClient {
  return typeof target === 'string' ? new Redis(target, redisOptions(role)) : new Cluster(target.cluster, clusterOptions(role));
}

/**
 * Another connection to the Redis `client` talks to, for another role.
 * `at` (single Redis only) reaches the same Redis another way, e.g. through a test proxy.
 */
export function duplicateAs(client: RedisClient, role: ConnectionRole, at?: URL): RedisClient {
  if (client instanceof Cluster) return client.duplicate([], clusterOptions(role));
  return client.duplicate({ ...redisOptions(role), ...(at ? { host: at.hostname, port: Number(at.port) } : {}) });
}

export async function connectRedis(target: RedisTarget, log: Logger | undefined, role: ConnectionRole = 'command'): Promise<RedisClient> {
  const redis = createRedisClient(target, role);
  logConnectionErrors(redis, log, 'redis connection error');
  await redis.connect();
  return redis;
}

/**
 * Calls `then` each time the subscriber's subscriptions are back after a loss
 * (messages published meanwhile were missed). A single Redis: its connection
 * is ready again (ioredis re-subscribed). A Cluster: a slot owner's subscriber
 * was replaced (its node failed, a replica took over) and ioredis
 * re-subscribed that slot's channels on the new owner.
 */
export function onResubscribed(subscriber: RedisClient, then: () => void): void {
  const [lost, back] = subscriber instanceof Cluster ? ['-subscriber', 'subscribersReady'] : ['close', 'ready'];
  let connectedBefore = true;
  subscriber.on(lost, () => (connectedBefore = false));
  subscriber.on(back, () => {
    if (connectedBefore) return;
    connectedBefore = true;
    then();
  });
}

/**
 * Without a listener an 'error' event would crash the process; while Redis is
 * down ioredis emits one per reconnect attempt, so log only now and then
 * (a timer for the log, not business time: the system clock).
 */
export function logConnectionErrors(connection: Pick<Redis, 'on'> | Pick<Cluster, 'on'>, log: Logger | undefined, message: string): void {
  let lastLogged = 0;
  connection.on('error', (err: Error) => {
    const now = Date.now();
    if (now - lastLogged < 10_000) return;
    lastLogged = now;
    log?.warn({ err: err.message }, message);
  });
}
