import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { IdentityCache } from './auth/identity-cache.ts';
import { TokenVerifier } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Deps } from './context.ts';
import { createCoreDeps } from './core.ts';
import { createHttpApp } from './http/app.ts';
import { ConnectionLimits } from './limits/connections.ts';
import { PostingLimits } from './limits/posting.ts';
import { RecoveryBudget } from './limits/recovery.ts';
import { ReportLimits } from './limits/reports.ts';
import { WordlistCache } from './moderation/wordlists.ts';
import { SocketFloodGuard } from './limits/socket-flood.ts';
import type { Logger } from './logger.ts';
import { attachGateway } from './realtime/gateway.ts';
import { attachAccessUpdates } from './realtime/access.ts';
import { attachModerationGateway } from './realtime/moderation-gateway.ts';
import { PresenceTracker } from './realtime/presence.ts';
import { sendClientsElsewhere } from './realtime/drain.ts';
import { announceAfterResubscribe } from './realtime/resync.ts';
import { createSocketServer } from './realtime/server.ts';
import { guardSendBuffers } from './realtime/send-buffer-guard.ts';
import { RoomSubscriptions } from './realtime/subscriptions.ts';
import { ThreadFanout } from './realtime/thread-fanout.ts';
import type { IoServer } from './realtime/types.ts';
import { duplicateAs, logConnectionErrors, onResubscribed, type RedisClient } from './store/redis.ts';
import { ignore } from './domain/ignore.ts';

export interface ThreadlineOptions {
  config: Config;
  redis: RedisClient;
  log: Logger;
  jwtSecret: string;
  version?: string;
  /** The connection the adapter subscribes on; by default a duplicate of `redis`. Closed with the server. */
  subscriber?: RedisClient;
  /** Where the queue producers connect (the same Redis reached another way, e.g. through a proxy); by default where `redis` does. */
  queueUrl?: string | undefined;
}

export interface Threadline {
  deps: Deps;
  io: IoServer;
  httpServer: HttpServer;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Disconnects sockets and stops accepting requests; the command connection is the caller's. */
  close(): Promise<void>;
}

/** Use-case dependencies over one Redis connection, usable without a server (CLI, bench): the core plus what requests need. */
export async function createDeps(opts: Omit<ThreadlineOptions, 'version' | 'subscriber'>): Promise<Deps> {
  const core = await createCoreDeps(opts);
  const { keys } = core.store;
  return {
    ...core,
    tokens: new TokenVerifier(opts.jwtSecret, opts.config.auth),
    identities: new IdentityCache(),
    wordlists: new WordlistCache(core.store.moderation),
    limits: new PostingLimits(opts.redis, keys, opts.config),
    reportLimits: new ReportLimits(opts.redis, keys, opts.config),
    recoveryBudget: new RecoveryBudget(opts.redis, keys, opts.config),
  };
}

/**
 * One server instance: HTTP API and Socket.IO on one port, state in Redis.
 * Instances sharing a Redis (and REDIS_PREFIX) form one service through
 * Socket.IO's sharded Redis adapter (see docs/architecture.md).
 */
export async function createThreadline(opts: ThreadlineOptions): Promise<Threadline> {
  const deps = await createDeps(opts);
  const channelPrefix = deps.store.keys.adapterChannels;
  const subscriber = opts.subscriber ?? duplicateAs(opts.redis, 'subscriber');
  logConnectionErrors(subscriber, opts.log, 'redis subscriber connection error');
  guardFireAndForget(subscriber);
  if (subscriber.status === 'wait') await subscriber.connect();

  // Express must be the server's request handler before Socket.IO attaches:
  // Engine.IO takes over the existing 'request' listeners, answers its own
  // path (long-polling) and hands every other request to them. A handler added
  // afterwards would also see /socket.io/ and answer it 404.
  const { timeouts } = opts.config;
  const httpServer = createServer(
    {
      headersTimeout: timeouts.httpHeadersMs,
      requestTimeout: timeouts.httpRequestMs,
      keepAliveTimeout: timeouts.httpKeepAliveMs,
      // Node looks for expired requests only this often (default 30 s): a slowloris peer would
      // otherwise hold its connection up to 30 s past the timeouts above.
      connectionsCheckingInterval: Math.min(1_000, timeouts.httpHeadersMs),
    },
    createHttpApp(deps, opts.version ?? '0.1.0'),
  );
  const io = createSocketServer(
    httpServer,
    createShardedAdapter(opts.redis, subscriber, { channelPrefix, subscriptionMode: 'dynamic' }),
    opts.config.limits.allowedOrigins,
    opts.config.transfer,
  );
  guardSendBuffers(io, timeouts.socketMaxBufferedBytes, deps.log);
  const fanout = new ThreadFanout(io.of('/'), channelPrefix, opts.config.transfer.fanoutBatchMs);
  const connections = new ConnectionLimits(opts.redis, deps.store.keys, deps.store.scripts, opts.config);
  connections.start();
  const subscriptions = new RoomSubscriptions(io, subscriber, channelPrefix);
  const presence = new PresenceTracker(io, deps);
  const flood = new SocketFloodGuard(opts.config);
  attachGateway(io, deps, { subscriptions, presence, connections, flood });
  attachModerationGateway(io, deps, { connections, flood });
  attachAccessUpdates(io, deps);
  presence.start();

  // ioredis re-subscribes after a reconnect; events published meanwhile were
  // missed here, so tell local viewers where their threads are now.
  onResubscribed(subscriber, () => {
    announceAfterResubscribe(io, deps).catch((err: unknown) => deps.log.warn({ err }, 'could not announce thread positions'));
  });

  return {
    deps,
    io,
    httpServer,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve(httpServer.address() as AddressInfo);
        });
      });
    },
    async close() {
      // No new connections first: clients sent away must reconnect to another instance, not here.
      httpServer.close();
      sendClientsElsewhere(io);
      fanout.close();
      await presence.stop();
      connections.stop();
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await subscriber.quit().catch(() => subscriber.disconnect());
      await deps.queues.close();
    },
  };
}

/**
 * The adapter calls SSUBSCRIBE/SUNSUBSCRIBE without handling the promises;
 * when Redis is away they reject, and an unhandled rejection would take the
 * process down. Callers that await them still see the failure.
 */
function guardFireAndForget(subscriber: RedisClient): void {
  const client = subscriber as unknown as Record<'ssubscribe' | 'sunsubscribe', (...args: unknown[]) => Promise<unknown>>;
  for (const method of ['ssubscribe', 'sunsubscribe'] as const) {
    const original = client[method].bind(subscriber);
    client[method] = (...args: unknown[]) => {
      const pending = original(...args);
      pending.catch(ignore);
      return pending;
    };
  }
}
