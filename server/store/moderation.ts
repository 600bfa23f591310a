import type { RedisClient } from './redis.ts';
import type {
  AuditEntry,
  AuthorHistory,
  Ban,
  Decider,
  ModerationSettings,
  ModeratorRef,
  QueueName,
  Reason,
  Wordlists,
} from '../../contract/index.ts';
import { QUEUES } from '../../contract/index.ts';
import type { Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';

export type { QueueName };

const DEFAULT_WORDLISTS: Wordlists = { banned: [], suspect: [], suspectAction: 'hold', builtinProfanity: 'off' };
const DEFAULT_SETTINGS: ModerationSettings = { premodNewUsers: 0 };

/** A stored claim (JSON {id, handle, until}; see claim-item-1.lua). */
function parseClaim(json: string): { by: ModeratorRef; until: number } {
  const c = JSON.parse(json) as ModeratorRef & { until: number };
  return { by: { id: c.id, handle: c.handle }, until: c.until };
}

/** A stored ban (JSON), or null when there is none or it has ended. */
export function activeBanFrom(json: string | null, now: number): Ban | null {
  if (!json) return null;
  const stored = JSON.parse(json) as Omit<Ban, 'byRole'> & Partial<Pick<Ban, 'byRole'>>;
  if (stored.until && Date.parse(stored.until) <= now) return null;
  // Bans stored before the banner's role was recorded keep binding everyone, as they did.
  return { ...stored, byRole: stored.byRole ?? 'admin' };
}

/** Stored site settings (JSON) over the defaults. */
export function settingsFrom(json: string | null): ModerationSettings {
  return json ? { ...DEFAULT_SETTINGS, ...(JSON.parse(json) as Partial<ModerationSettings>) } : DEFAULT_SETTINGS;
}

export interface StoredReport {
  reason: 'spam' | 'abuse' | 'off_topic' | 'other';
  note: string | null;
  at: string;
  /** 2 from an established account, 1 from a new one (absent on older reports: 2). */
  weight?: number;
}

export interface NewAuditEntry {
  by: Decider;
  action: string;
  target: AuditEntry['target'];
  reasons: Reason[];
  before: AuditEntry['before'];
  after: AuditEntry['after'];
}

/** How long moderation records are kept (see docs/retention.md). */
export interface ModerationRetention {
  auditMs: number;
  auditMaxEntries: number;
  /** The rejected queue and readers' reports. */
  moderationMs: number;
}

/**
 * Moderation state that is not part of a comment: the site-wide queues (and
 * per-thread views of them), reports, claims, bans, word lists, settings and
 * the audit log.
 */
export class ModerationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly retention: ModerationRetention,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ---- queues ----

  /**
   * Adds to a queue (keeping the first time it entered) and to the thread's
   * view of it. The work queues empty as moderators decide; the rejected
   * queue is a history (for restoring mistakes), so it keeps MODERATION_RETENTION_DAYS.
   */
  async enqueue(queue: QueueName, commentId: string, threadId: string, at: number): Promise<void> {
    const k = this.keys.moderation;
    const site = k.queue(queue);
    const thread = k.threadQueue(queue, threadId);
    const tx = this.redis.multi().zadd(site, 'NX', at, commentId).zadd(thread, 'NX', at, commentId);
    if (queue === 'rejected') {
      const keep = this.retention.moderationMs;
      tx.zremrangebyscore(site, '-inf', `(${at - keep}`)
        .zremrangebyscore(thread, '-inf', `(${at - keep}`)
        .pexpire(thread, keep);
    }
    await tx.exec();
  }

  /**
   * Takes an item off these queues (and their thread views). Returns whether
   * it was in any of them: of two callers racing, only one gets true.
   */
  async dequeue(queues: readonly QueueName[], commentId: string, threadId: string): Promise<boolean> {
    const k = this.keys.moderation;
    const tx = this.redis.multi();
    for (const q of queues) tx.zrem(k.queue(q), commentId).zrem(k.threadQueue(q, threadId), commentId);
    const results = (await tx.exec()) ?? [];
    return results.some(([, removed], i) => i % 2 === 0 && Number(removed) === 1);
  }

  async queuePage(queue: QueueName, threadId: string | undefined, cursor: number | undefined, limit: number) {
    const key = threadId ? this.keys.moderation.threadQueue(queue, threadId) : this.keys.moderation.queue(queue);
    const flat = await this.redis.zrangebyscore(
      key,
      cursor === undefined ? '-inf' : `(${cursor}`,
      '+inf',
      'WITHSCORES',
      'LIMIT',
      0,
      limit + 1,
    );
    const items: { commentId: string; at: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) items.push({ commentId: flat[i]!, at: Number(flat[i + 1]) });
    const page = items.slice(0, limit);
    return { items: page, nextCursor: items.length > limit ? String(page.at(-1)!.at) : null };
  }

  /** Items in each queue, site-wide or in one thread's view. */
  async queueCounts(threadId?: string): Promise<Record<QueueName, number>> {
    const tx = this.redis.multi();
    for (const q of QUEUES) tx.zcard(threadId ? this.keys.moderation.threadQueue(q, threadId) : this.keys.moderation.queue(q));
    const results = (await tx.exec()) ?? [];
    return Object.fromEntries(QUEUES.map((q, i) => [q, Number(results[i]?.[1] ?? 0)])) as Record<QueueName, number>;
  }

  // ---- reports ----

  /**
   * Records a reader's report once; returns whether it was new, how many
   * distinct readers reported and the sum of their reports' weights.
   */
  // Who reported what is personal data: kept MODERATION_RETENTION_DAYS after the last report (cleared sooner by a decision).
  async report(
    commentId: string,
    reporterId: string,
    report: StoredReport & { weight: number },
  ): Promise<{ added: boolean; count: number; weight: number }> {
    const [added, count, weight] = await this.scripts.run(
      this.redis,
      'add-report',
      [this.keys.moderation.reports(commentId)],
      [reporterId, JSON.stringify(report), String(this.retention.moderationMs)],
    );
    return { added: Number(added) === 1, count: Number(count), weight: Number(weight) };
  }

  async reports(commentId: string): Promise<StoredReport[]> {
    const all = await this.redis.hvals(this.keys.moderation.reports(commentId));
    return all.map((r) => JSON.parse(r) as StoredReport);
  }

  async clearReports(commentId: string): Promise<void> {
    await this.redis.del(this.keys.moderation.reports(commentId));
  }

  // ---- claims ----

  /** Claims an item for `ms`; returns the holder (you, or whoever got there first) and until when. */
  async claim(commentId: string, moderator: ModeratorRef, ms: number): Promise<{ by: ModeratorRef; until: number }> {
    const value = JSON.stringify({ ...moderator, until: this.now().getTime() + ms });
    const [holder] = await this.scripts.run(this.redis, 'claim-item', [this.keys.moderation.claim(commentId)], [moderator.id, value, ms]);
    return parseClaim(String(holder));
  }

  async release(commentId: string, moderatorId: string): Promise<boolean> {
    const [released] = await this.scripts.run(this.redis, 'release-claim', [this.keys.moderation.claim(commentId)], [moderatorId]);
    return released === 1;
  }

  async claims(commentIds: string[]): Promise<({ by: ModeratorRef; until: string } | null)[]> {
    if (commentIds.length === 0) return [];
    const rows = await this.redis.mget(...commentIds.map((id) => this.keys.moderation.claim(id)));
    return rows.map((r) => {
      if (!r) return null;
      const { by, until } = parseClaim(r);
      return { by, until: new Date(until).toISOString() };
    });
  }

  // ---- bans ----

  /** A ban is one string that expires with the ban (permanent bans do not expire). */
  async ban(ban: Ban): Promise<void> {
    const key = this.keys.user.ban(ban.userId);
    if (ban.until) await this.redis.set(key, JSON.stringify(ban), 'PXAT', Date.parse(ban.until));
    else await this.redis.set(key, JSON.stringify(ban));
  }

  /** Lifts `ban` if it is still the user's ban (not one made since it was read). */
  async unban(ban: Ban): Promise<boolean> {
    const [lifted] = await this.scripts.run(this.redis, 'lift-ban', [this.keys.user.ban(ban.userId)], [ban.at, ban.by.id]);
    return Number(lifted) === 1;
  }

  async activeBan(userId: string): Promise<Ban | null> {
    return activeBanFrom(await this.redis.get(this.keys.user.ban(userId)), this.now().getTime());
  }

  // ---- authors' history ----

  /** Counts a hold or a rejection of one of the user's comments; the count lives MODERATION_RETENTION_DAYS past the last. */
  async noteAuthorOutcome(userId: string, outcome: 'held' | 'rejected'): Promise<void> {
    const key = this.keys.user.moderationHistory(userId);
    await this.redis.multi().hincrby(key, outcome, 1).pexpire(key, this.retention.moderationMs).exec();
  }

  /** What moderators see of an author: account age, comments written, holds and rejections in the retention window. */
  async authorHistory(userId: string): Promise<AuthorHistory> {
    const k = this.keys.user;
    // Three commands, not one pipeline: the record and the per-user keys are in different Cluster slots.
    const [createdAt, comments, [held, rejected]] = await Promise.all([
      this.redis.hget(k.record(userId), 'createdAt'),
      this.redis.zcard(k.comments(userId)),
      this.redis.hmget(k.moderationHistory(userId), 'held', 'rejected'),
    ]);
    return { firstSeenAt: createdAt || null, comments, holds: Number(held ?? 0), rejections: Number(rejected ?? 0) };
  }

  // ---- word lists and settings ----

  async wordlists(): Promise<{ lists: Wordlists; version: number }> {
    const [json, version] = await this.redis.mget(this.keys.moderation.wordlists, this.keys.moderation.wordlistsVersion);
    return {
      lists: json ? { ...DEFAULT_WORDLISTS, ...(JSON.parse(json) as Partial<Wordlists>) } : DEFAULT_WORDLISTS,
      version: Number(version ?? 0),
    };
  }

  async setWordlists(lists: Wordlists): Promise<number> {
    const results =
      (await this.redis
        .multi()
        .set(this.keys.moderation.wordlists, JSON.stringify(lists))
        .incr(this.keys.moderation.wordlistsVersion)
        .exec()) ?? [];
    return Number(results[1]?.[1] ?? 0);
  }

  async settings(): Promise<ModerationSettings> {
    return settingsFrom(await this.redis.get(this.keys.moderation.settings));
  }

  async setSettings(settings: ModerationSettings): Promise<void> {
    await this.redis.set(this.keys.moderation.settings, JSON.stringify(settings));
  }

  // ---- audit ----

  /**
   * Appends to the audit log (and its per-thread and per-moderator indexes).
   * Each write trims what it touches: entries older than AUDIT_RETENTION_DAYS
   * (exactly, so the log never shows one), and beyond AUDIT_MAX_ENTRIES; an
   * index nobody writes to for the retention expires whole.
   */
  async audit(entry: NewAuditEntry, at: Date): Promise<AuditEntry> {
    const k = this.keys.moderation;
    const { auditMs, auditMaxEntries } = this.retention;
    const id = (await this.redis.xadd(
      k.audit,
      'MAXLEN',
      '~',
      auditMaxEntries,
      '*',
      'entry',
      JSON.stringify({ ...entry, at: at.toISOString() }),
    ))!;
    const cutoff = indexScore(id) - auditMs * 1000;
    const tx = this.redis.multi().xtrim(k.audit, 'MINID', `${Math.max(0, Math.floor(cutoff / 1000))}-0`);
    const indexes = [
      entry.target.threadId ? k.auditByThread(entry.target.threadId) : null,
      entry.by.kind === 'user' ? k.auditByModerator(entry.by.id) : null,
    ];
    for (const index of indexes) {
      if (!index) continue;
      tx.zadd(index, indexScore(id), id)
        .zremrangebyscore(index, '-inf', `(${cutoff}`)
        .zremrangebyrank(index, 0, -(auditMaxEntries + 1))
        .pexpire(index, auditMs);
    }
    await tx.exec();
    return { id, at: at.toISOString(), ...entry };
  }

  /** Newest first; filtered by thread or moderator through their indexes. The cursor is an entry id. */
  async auditPage(filter: { threadId?: string; moderatorId?: string }, cursor: string | undefined, limit: number) {
    const k = this.keys.moderation;
    let rows: [string, string[]][];
    if (filter.threadId || filter.moderatorId) {
      const index = filter.threadId ? k.auditByThread(filter.threadId) : k.auditByModerator(filter.moderatorId!);
      rows = await this.indexedRows(index, cursor, limit + 1);
    } else {
      rows = await this.redis.xrevrange(k.audit, cursor ? `(${cursor}` : '+', '-', 'COUNT', limit + 1);
    }
    const entries: AuditEntry[] = rows
      .map(([id, fields]) => ({ id, ...(JSON.parse(fields[1]!) as Omit<AuditEntry, 'id'>) }))
      .filter(
        (e) =>
          (!filter.threadId || e.target.threadId === filter.threadId) &&
          (!filter.moderatorId || (e.by.kind === 'user' && e.by.id === filter.moderatorId)),
      );
    const page = entries.slice(0, limit);
    return { entries: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
  }

  /**
   * Up to `count` log entries an index names, newest first, before `cursor`.
   * The log is also capped by count (AUDIT_MAX_ENTRIES), so an index can name
   * entries it no longer has: those are skipped and pruned from the index.
   */
  private async indexedRows(index: string, cursor: string | undefined, count: number): Promise<[string, string[]][]> {
    const rows: [string, string[]][] = [];
    let max = cursor ? `(${indexScore(cursor)}` : '+inf';
    while (rows.length < count) {
      const ids = await this.redis.zrevrangebyscore(index, max, '-inf', 'LIMIT', 0, count - rows.length);
      if (ids.length === 0) break;
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.xrange(this.keys.moderation.audit, id, id);
      const found = ((await pipeline.exec()) ?? []).map(([err, r]) => {
        if (err) throw err;
        return (r as [string, string[]][])[0];
      });
      const missing = ids.filter((_, i) => !found[i]);
      if (missing.length > 0) await this.redis.zrem(index, ...missing);
      for (const row of found) if (row) rows.push(row);
      max = `(${indexScore(ids.at(-1)!)}`;
    }
    return rows;
  }
}

/** A stream id "<ms>-<seq>" as one orderable number (seq under 1000 within a millisecond). */
function indexScore(streamId: string): number {
  const [ms, seq] = streamId.split('-').map(Number) as [number, number];
  return ms * 1000 + Math.min(seq, 999);
}
