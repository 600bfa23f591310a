import type { RedisClient } from './redis.ts';
import type { Comment, Thread, ThreadEvent, ThreadEventType, ThreadRef, ThreadSettings } from '../../contract/index.ts';
import type { Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';

/** What recovery asks for: the events after `after` up to `upTo` (inclusive) of the thread at `epoch`. */
export interface RecoveryRange {
  epoch: string;
  after: number;
  upTo: number;
  /** Most bytes of event JSON to send; more is answered with null (the client reloads over REST). */
  maxBytes: number;
}

export class ThreadStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
  ) {}

  /** A thread that was never written reads as empty: offset 0, no epoch. */
  async get(threadId: string): Promise<Thread> {
    const k = this.keys.thread;
    const [[e1, meta], [e2, count]] = (await this.redis
      .multi()
      .hmget(k.meta(threadId), ...THREAD_FIELDS)
      .zcard(k.visible(threadId))
      .exec()) as [[Error | null, (string | null)[]], [Error | null, number]];
    if (e1) throw e1;
    if (e2) throw e2;
    return toThread(threadId, meta, count);
  }

  /** Title and url only: what a notification or an email names the thread by. */
  async ref(threadId: string): Promise<ThreadRef> {
    const [title, url] = await this.redis.hmget(this.keys.thread.meta(threadId), 'title', 'url');
    return { id: threadId, title: title ?? null, url: url ?? null };
  }

  /** Creates the thread (with its epoch) or updates its title and url. */
  async put(threadId: string, title: string, url: string, epochCandidate: string): Promise<void> {
    await this.setFields(threadId, { title, url }, epochCandidate);
  }

  /** Changes settings, creating the thread (and its epoch) if it is new. */
  async updateSettings(threadId: string, settings: ThreadSettings, epochCandidate: string): Promise<void> {
    const fields: Record<string, string> = {};
    if (settings.locked !== undefined) fields.locked = settings.locked ? '1' : '0';
    if (settings.slowModeSeconds !== undefined) fields.slowMode = String(settings.slowModeSeconds);
    if (settings.premod !== undefined) fields.premod = settings.premod ? '1' : '0';
    await this.setFields(threadId, fields, epochCandidate);
  }

  private async setFields(threadId: string, fields: Record<string, string>, epochCandidate: string): Promise<void> {
    await this.scripts.run(
      this.redis,
      'set-thread-fields',
      [this.keys.thread.meta(threadId)],
      [epochCandidate, ...Object.entries(fields).flat()],
    );
  }

  /**
   * The events in the range, each with its comment as readers may see it now
   * (see lua/recover-events-2.lua), or null when they cannot all be given:
   * an entry is gone, the epoch changed, or they are over `maxBytes`.
   */
  async recover(threadId: string, range: RecoveryRange): Promise<ThreadEvent[] | null> {
    const k = this.keys.thread;
    const reply = await this.scripts.run(
      this.redis,
      'recover-events',
      [k.meta(threadId), k.log(threadId)],
      [threadId, k.commentPrefix(threadId), range.epoch, range.after, range.upTo, range.maxBytes],
    );
    if (reply[0] !== 'ok') return null;
    const events: ThreadEvent[] = [];
    for (let i = 1; i + 1 < reply.length; i += 2) {
      events.push({
        threadId,
        offset: range.after + events.length + 1,
        epoch: range.epoch,
        type: reply[i] as ThreadEventType,
        comment: JSON.parse(String(reply[i + 1])) as Comment,
      });
    }
    return events;
  }
}

/** Meta fields read for a Thread, in the order toThread expects. */
export const THREAD_FIELDS = ['epoch', 'offset', 'title', 'url', 'locked', 'slowMode', 'premod'] as const;

export function toThread(threadId: string, meta: (string | null)[], commentCount: number): Thread {
  const [epoch, offset, title, url, locked, slowMode, premod] = meta;
  return {
    id: threadId,
    title: title ?? null,
    url: url ?? null,
    commentCount,
    offset: Number(offset ?? 0),
    epoch: epoch ?? '',
    locked: locked === '1',
    slowModeSeconds: Number(slowMode ?? 0),
    premod: premod === '1',
  };
}
