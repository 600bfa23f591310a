import type { Redis } from 'ioredis';
import type { Thread, ThreadEvent, ThreadEventType, ThreadRef, ThreadSettings } from '../../client/contract/index.ts';
import type { Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';

export interface ThreadLogEntry {
  offset: number;
  type: ThreadEventType;
  commentJson: string;
}

export class ThreadStore {
  constructor(
    private readonly redis: Redis,
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
    await this.scripts.run(this.redis, 'set-thread-fields', [this.keys.thread.meta(threadId)], [epochCandidate, ...Object.entries(fields).flat()]);
  }

  /**
   * Log entries with offset > `afterOffset`, oldest first, at most `count`.
   * Entry ids are `<offset>-0`, so this is one XRANGE.
   */
  async readLog(threadId: string, afterOffset: number, count: number): Promise<ThreadLogEntry[]> {
    const entries = await this.redis.xrange(this.keys.thread.log(threadId), `${afterOffset + 1}-0`, '+', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const f = fieldMap(fields);
      return { offset: Number(id.slice(0, id.indexOf('-'))), type: f.type as ThreadEventType, commentJson: f.comment ?? '' };
    });
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

export function toEvent(threadId: string, epoch: string, entry: ThreadLogEntry): ThreadEvent {
  return { threadId, offset: entry.offset, epoch, type: entry.type, comment: JSON.parse(entry.commentJson) };
}

function fieldMap(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}
