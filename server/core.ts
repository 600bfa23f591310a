import type { RedisClient } from './store/redis.ts';
import type { Config } from './config.ts';
import type { CoreDeps } from './context.ts';
import { createQueues } from './jobs/queues.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { ModFeed } from './moderation/feed.ts';
import { createStore } from './store/index.ts';
import { duplicateAs } from './store/redis.ts';
import { RoomEmitter } from './store/room-emitter.ts';

export interface CoreOptions {
  config: Config;
  redis: RedisClient;
  log: Logger;
  /** Where the queue producers connect (the same Redis reached another way, e.g. through a proxy); by default where `redis` does. */
  queueUrl?: string | undefined;
}

/**
 * The services servers and workers share, over one Redis connection. No
 * secret goes in: the workers build only this, so they start without
 * AUTH_JWT_SECRET (they verify no tokens and check no posting limits).
 */
export async function createCoreDeps(opts: CoreOptions): Promise<CoreDeps> {
  const now = () => new Date();
  const store = createStore(opts.redis, opts.config, now);
  const emitter = new RoomEmitter(opts.redis, store.keys.adapterChannels);
  return {
    config: opts.config,
    store,
    emitter,
    modFeed: new ModFeed(emitter, store.moderation, opts.log),
    queues: await createQueues(
      duplicateAs(opts.redis, 'queue', opts.queueUrl ? new URL(opts.queueUrl) : undefined),
      opts.config,
      store.keys.queuePrefix,
      store.keys.screening.stream,
    ),
    log: opts.log,
    metrics: createMetrics(),
    now,
  };
}
