import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

export type QueueName = 'pending' | 'reported' | 'flagged' | 'rejected';

/** Site-wide moderation queues: comment ids ordered by when they entered. */
export class ModerationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async enqueue(queue: QueueName, commentId: string, at: number): Promise<void> {
    await this.redis.zadd(this.keys.moderation.queue(queue), 'NX', at, commentId);
  }

  async dequeue(queue: QueueName, commentId: string): Promise<void> {
    await this.redis.zrem(this.keys.moderation.queue(queue), commentId);
  }

  async contains(queue: QueueName, commentId: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.moderation.queue(queue), commentId)) !== null;
  }
}
