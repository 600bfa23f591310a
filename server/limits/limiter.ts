import type { RedisClient } from '../store/redis.ts';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Keys } from '../store/keys.ts';

/**
 * A rate-limiter-flexible limiter shared by every server through Redis, its
 * counters under `keys.rateLimit(name)`. It refuses (rather than letting
 * everything through) while Redis is not ready.
 */
export function redisLimiter(redis: RedisClient, keys: Keys, name: string, points: number, duration: number): RateLimiterRedis {
  return new RateLimiterRedis({ storeClient: redis, keyPrefix: keys.rateLimit(name), points, duration, rejectIfRedisNotReady: true });
}
