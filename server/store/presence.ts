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

  /**
   * Applies the updates and returns each thread's viewer count, in one round
   * trip: separate commands, not a pipeline (the threads live in different
   * Cluster slots), which the connection auto-pipelines (per node on a Cluster).
   */
  async sync(updates: PresenceUpdate[], now: number, ttlMs: number): Promise<Map<string, number>> {
    const counted = updates.map(async (u) => {
      const key = this.keys.thread.viewers(u.threadId);
      const writes: Promise<unknown>[] = [];
      if (u.remove.length > 0) writes.push(this.redis.zrem(key, ...u.remove));
      if (u.touch.length > 0) writes.push(this.redis.zadd(key, ...u.touch.flatMap((v) => [now, v])));
      writes.push(this.redis.zremrangebyscore(key, '-inf', now - ttlMs), this.redis.pexpire(key, ttlMs * 2));
      // Sent after the writes on the same connection (and node): Redis answers it after applying them.
      const [count] = await Promise.all([this.redis.zcard(key), ...writes]);
      return [u.threadId, count] as const;
    });
    return new Map(await Promise.all(counted));
  }

  /** Claims the right to send a typing signal; false while the last one is under `windowMs` old. */
  async claimTyping(threadId: string, userId: string, windowMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.thread.typing(threadId, userId), '1', 'PX', windowMs, 'NX')) === 'OK';
  }
}
