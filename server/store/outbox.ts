import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.ts';
import type { NotifyJob } from '../jobs/queues.ts';
import type { Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';

export type JobReason = NotifyJob['reason'];

/** Jobs one write (a post, an edit, an approval) has to add for one comment. */
export interface OutboxEntry {
  threadId: string;
  commentId: string;
  reason: JobReason;
  /** Screen it for abuse too (not for moderators' comments or approvals). */
  screen: boolean;
  /** When the write listed it (ms). */
  at: number;
  /** The zset member; unique per write, so acknowledging one write never drops another's. */
  member: string;
}

const REASONS = new Set<string>(['posted', 'edited', 'approved']);

export function outboxEntry(threadId: string, commentId: string, reason: JobReason, screen: boolean, at: number): OutboxEntry {
  const member = `${reason} ${screen ? 1 : 0} ${commentId} ${randomBytes(4).toString('hex')}`;
  return { threadId, commentId, reason, screen, at, member };
}

function parseEntry(threadId: string, member: string, at: number): OutboxEntry | null {
  const [reason, screen, commentId] = member.split(' ');
  if (!reason || !REASONS.has(reason) || !commentId) return null;
  return { threadId, commentId, reason: reason as JobReason, screen: screen === '1', at, member };
}

/**
 * A thread on the sweep's list stays there this long after its last listing,
 * even with an empty outbox: longer than any write takes between listing the
 * thread and writing its entry, so the sweep never drops a thread whose entry
 * is still on its way.
 */
const LISTED_AT_LEAST_MS = 5 * 60_000;

/**
 * A server that listed a thread less than this ago does not list it again:
 * the score it wrote is recent enough that the sweep keeps the thread (it
 * drops only threads listed LISTED_AT_LEAST_MS ago), with minutes to spare
 * for clocks that differ between servers. Saves a write per comment to
 * `{o}:threads`, one key (so one Cluster slot) shared by every thread.
 */
const RELIST_AFTER_MS = 60_000;
/** Threads remembered as listed; past this many the memory starts over (costing one listing each). */
const LISTED_REMEMBERED = 10_000;

/**
 * The transactional outbox for worker jobs. BullMQ's queues live in their own
 * Redis slot and are reached over their own connection, so adding a
 * comment's jobs cannot be part of the script that stores the comment: if the
 * queue connection fails in between, the jobs would be lost. So each write
 * that needs jobs first lists its thread (`list`), then records an entry in
 * the thread's outbox (same slot as the comment) just before the write, and
 * removes it once the jobs are added (`done`). The workers' sweep adds the
 * jobs of entries older than OUTBOX_GRACE_SECONDS and drops threads with
 * nothing left. Job ids are derived from the comment, so adding twice adds once.
 */
export class OutboxStore {
  /** Thread id -> when this process last listed it (ms). */
  private readonly listedAt = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
  ) {}

  /** Puts the thread on the sweep's list (or refreshes it). Must succeed before the write whose entry follows. */
  async list(threadId: string, now: number): Promise<void> {
    const last = this.listedAt.get(threadId);
    if (last !== undefined && now - last >= 0 && now - last < RELIST_AFTER_MS) return;
    await this.redis.zadd(this.keys.outboxThreads, 'GT', now, threadId);
    if (this.listedAt.size >= LISTED_REMEMBERED) this.listedAt.clear();
    this.listedAt.set(threadId, now);
  }

  /**
   * Records `entry` and runs `write`. The entry's ZADD is sent first, on the
   * same connection and to the same slot as the write's script, so Redis runs
   * it first: a stored comment always has its entry. A failed write leaves an
   * entry the sweep drops (it finds no visible comment), or the caller's `done`.
   * Resolves with the write's result and whether the entry was recorded.
   */
  async around<T>(entry: OutboxEntry, write: () => Promise<T>): Promise<{ result: T; recorded: boolean }> {
    const recorded = this.redis.zadd(this.keys.thread.outbox(entry.threadId), entry.at, entry.member).then(
      () => true,
      () => false,
    );
    const result = await write();
    return { result, recorded: await recorded };
  }

  /** The jobs were added: forget the entry. */
  async done(entry: OutboxEntry): Promise<void> {
    await this.redis.zrem(this.keys.thread.outbox(entry.threadId), entry.member);
  }

  /** Threads on the sweep's list with when they were last listed, oldest first. */
  async threads(offset: number, count: number): Promise<{ threadId: string; listedAt: number }[]> {
    const flat = await this.redis.zrange(this.keys.outboxThreads, offset, offset + count - 1, 'WITHSCORES');
    const out: { threadId: string; listedAt: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ threadId: flat[i]!, listedAt: Number(flat[i + 1]) });
    return out;
  }

  /** Entries of one thread written before `before` (ms), oldest first, and how many entries it has in all. */
  async due(threadId: string, before: number, limit: number): Promise<{ entries: OutboxEntry[]; total: number }> {
    const key = this.keys.thread.outbox(threadId);
    const [[e1, flat], [e2, total]] = (await this.redis
      .multi()
      .zrangebyscore(key, '-inf', before, 'WITHSCORES', 'LIMIT', 0, limit)
      .zcard(key)
      .exec()) as [[Error | null, string[]], [Error | null, number]];
    if (e1) throw e1;
    if (e2) throw e2;
    const entries: OutboxEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      // An entry this version cannot read (a newer one wrote it, mid-deploy) is left for one that can.
      const entry = parseEntry(threadId, flat[i]!, Number(flat[i + 1]));
      if (entry) entries.push(entry);
    }
    return { entries, total };
  }

  /**
   * Takes a thread whose outbox was found empty off the list, unless it was
   * listed within LISTED_AT_LEAST_MS of `now` or listed again since `listedAt`.
   */
  async forget(threadId: string, listedAt: number, now: number): Promise<boolean> {
    if (listedAt > now - LISTED_AT_LEAST_MS) return false;
    const removed = (await this.scripts.run(
      this.redis,
      'forget-outbox-thread',
      [this.keys.outboxThreads],
      [threadId, String(listedAt)],
    )) as unknown;
    return removed === 1;
  }
}
