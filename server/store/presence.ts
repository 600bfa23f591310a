import type { RedisClient } from './redis.ts';
import type { Keys } from './keys.ts';

export interface PresenceUpdate {
  threadId: string;
  /** Viewers this server vouches for now (their last-seen time is refreshed). */
  touch: string[];
  /** Viewers that left this server. */
  remove: string[];
}

/**
 * Viewers of a thread across all servers: a sorted set of viewer keys scored
 * by when a server last vouched for them. Entries not refreshed within the
 * TTL (their server crashed) are dropped, so ghosts last at most one TTL.
 */
export class PresenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Applies the updates and returns each thread's viewer count, in one round trip. */
  async sync(updates: PresenceUpdate[], now: number, ttlMs: number): Promise<Map<string, number>> {
    const pipeline = this.redis.pipeline();
    for (const u of updates) {
      const key = this.keys.thread.viewers(u.threadId);
      if (u.remove.length > 0) pipeline.zrem(key, ...u.remove);
      if (u.touch.length > 0) pipeline.zadd(key, ...u.touch.flatMap((v) => [now, v]));
      pipeline.zremrangebyscore(key, '-inf', now - ttlMs);
      pipeline.pexpire(key, ttlMs * 2);
      pipeline.zcard(key);
    }
    const results = (await pipeline.exec()) ?? [];
    const counts = new Map<string, number>();
    let i = 0;
    for (const u of updates) {
      i += (u.remove.length > 0 ? 1 : 0) + (u.touch.length > 0 ? 1 : 0) + 2;
      const [err, count] = results[i++]!;
      if (err) throw err;
      counts.set(u.threadId, count as number);
    }
    return counts;
  }

  /** Claims the right to send a typing signal; false while the last one is under `windowMs` old. */
  async claimTyping(threadId: string, userId: string, windowMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.thread.typing(threadId, userId), '1', 'PX', windowMs, 'NX')) === 'OK';
  }
}
