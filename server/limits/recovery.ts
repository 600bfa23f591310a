import type { RedisClient } from '../store/redis.ts';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { Keys } from '../store/keys.ts';
import { ignore } from '../domain/ignore.ts';
import { redisLimiter } from './limiter.ts';

/**
 * Bytes of recovered events each client address may be sent per minute,
 * shared by every server through Redis. RECOVERY_MAX_BYTES bounds one join;
 * without this a client re-joining in a loop (or over many sockets) would
 * make the server send that much again and again. Beyond the budget a join
 * answers `recovered: false` and the client pages over REST, which is what
 * a first visit costs and falls under the ordinary request limits.
 */
export class RecoveryBudget {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: RedisClient, keys: Keys, config: Config) {
    this.limiter = redisLimiter(redis, keys, 'recovery-bytes', config.recovery.bytesPerMinute, 60);
  }

  /** Bytes this address may still be sent in the current minute (0 when Redis cannot say: recovery is optional). */
  async remaining(ip: string): Promise<number> {
    try {
      const res = await this.limiter.get(ip);
      return Math.max(0, this.limiter.points - (res?.consumedPoints ?? 0));
    } catch {
      return 0;
    }
  }

  /**
   * Counts bytes sent. Joins running at the same moment may together go over
   * by at most what each was allowed; the next ones find nothing left.
   */
  async spend(ip: string, bytes: number): Promise<void> {
    if (bytes > 0) await this.limiter.penalty(ip, bytes).catch(ignore);
  }
}
