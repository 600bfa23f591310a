import type { RedisClient } from '../store/redis.ts';
import { RateLimiterRes, type RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { isModerator, type AuthUser } from '../domain/actor.ts';
import { errors } from '../errors.ts';
import type { Keys } from '../store/keys.ts';
import { redisLimiter } from './limiter.ts';

/**
 * Reports a reader may file per window, shared by every server through Redis.
 * Without it one account could put its report on every comment of a thread,
 * each landing in the moderators' feed and queue. Moderators are exempt.
 */
export class ReportLimits {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: RedisClient, keys: Keys, config: Config) {
    const { points, seconds } = config.limits.reports;
    this.limiter = redisLimiter(redis, keys, 'reports', points, seconds);
  }

  /**
   * Takes one report from the reader's budget, or throws `rate_limited` with
   * retryAfterMs. The returned function gives it back (for a report that
   * changed nothing: a repeat of one the reader had already filed).
   */
  async take(actor: AuthUser): Promise<() => Promise<void>> {
    if (isModerator(actor)) return () => Promise.resolve();
    try {
      await this.limiter.consume(actor.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw errors.unavailable(err);
      const limit = { points: this.limiter.points, seconds: this.limiter.duration };
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw errors.rateLimited(
        `You are reporting too often (at most ${limit.points} per ${limit.seconds} s); try again in ${seconds} s`,
        { scope: 'reports', limit },
        err.msBeforeNext,
      );
    }
    return async () => {
      await this.limiter.reward(actor.id);
    };
  }
}
