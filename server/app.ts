import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { IdentityCache } from './auth/identity-cache.ts';
import { TokenVerifier } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Deps, EventSink } from './context.ts';
import { createHttpApp } from './http/app.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { attachGateway } from './realtime/gateway.ts';
import { socketEventSink } from './realtime/publisher.ts';
import { createSocketServer } from './realtime/server.ts';
import type { IoServer } from './realtime/types.ts';
import { createStore } from './store/index.ts';

export interface ThreadlineOptions {
  config: Config;
  redis: Redis;
  log: Logger;
  jwtSecret: string;
  version?: string;
}

export interface Threadline {
  deps: Deps;
  io: IoServer;
  httpServer: HttpServer;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Disconnects sockets and stops accepting requests; the Redis connection is the caller's. */
  close(): Promise<void>;
}

/** Use-case dependencies over one Redis connection; `events` decides where changes are announced. */
export function createDeps(opts: Omit<ThreadlineOptions, 'version'>, events: EventSink): Deps {
  return {
    config: opts.config,
    store: createStore(opts.redis, opts.config),
    tokens: new TokenVerifier(opts.jwtSecret),
    identities: new IdentityCache(),
    events,
    log: opts.log,
    metrics: createMetrics(),
    now: () => new Date(),
  };
}

/** One server instance: HTTP API and Socket.IO on one port, state in Redis. */
export function createThreadline(opts: ThreadlineOptions): Threadline {
  const httpServer = createServer();
  const io = createSocketServer(httpServer);
  const deps = createDeps(opts, socketEventSink(io));
  httpServer.on('request', createHttpApp(deps, opts.version ?? '0.1.0'));
  attachGateway(io, deps);

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
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
