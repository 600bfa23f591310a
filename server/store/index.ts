import type { RedisClient } from './redis.ts';
import type { Config } from '../config.ts';
import { threadEnvelope } from './adapter-protocol.ts';
import { CommentStore } from './comments.ts';
import { createKeys } from './keys.ts';
import { ModerationStore } from './moderation.ts';
import { NotificationStore } from './notifications.ts';
import { OutboxStore } from './outbox.ts';
import { loadPostContext, type PostContextQuery } from './preflight.ts';
import { PresenceStore } from './presence.ts';
import { ScreeningStore } from './screening.ts';
import { Scripts } from './scripts.ts';
import { ThreadStore } from './threads.ts';
import { UserStore } from './users.ts';

export type Store = ReturnType<typeof createStore>;

/** `now`: the business clock (CoreDeps.now), for the times the repositories store or compare (conflict window, claims, ban ends). */
export function createStore(
  redis: RedisClient,
  config: Pick<Config, 'redis' | 'history' | 'comments' | 'retention'>,
  now: () => Date = () => new Date(),
) {
  const keys = createKeys(config.redis.prefix);
  const scripts = new Scripts(redis, config.redis.waitReplicas);
  return {
    /** For the composition root (adapter channels, connection limits) and tests; use cases go through the repositories below. */
    redis,
    keys,
    scripts,
    /** Whether Redis answers (readiness). */
    ping: () => redis.ping(),
    /** Everything a post or edit is checked against, in one round trip. */
    preflight: { postContext: (q: PostContextQuery) => loadPostContext(redis, keys, q, now().getTime()) },
    threads: new ThreadStore(redis, keys, scripts),
    comments: new CommentStore(
      redis,
      keys,
      scripts,
      {
        maxEvents: config.history.maxEvents,
        ttlSeconds: config.history.ttlSeconds,
        idempotencyTtlSeconds: config.comments.idempotencyTtlSeconds,
      },
      (threadId) => threadEnvelope(keys.adapterChannels, threadId),
      now,
    ),
    users: new UserStore(redis, keys, scripts),
    presence: new PresenceStore(redis, keys),
    notifications: new NotificationStore(redis, keys, scripts, now),
    screening: new ScreeningStore(redis, keys, scripts),
    moderation: new ModerationStore(redis, keys, scripts, config.retention, now),
    outbox: new OutboxStore(redis, keys, scripts),
  };
}
