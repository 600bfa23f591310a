import type { RedisClient } from './redis.ts';
import { NOTIFICATION_CHANNELS, type ChannelPreferences, type Comment, type Notification, type Preferences } from '../../contract/index.ts';
import type { Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';

/** Every channel on until the user turns it off (its delivery still needs the site to configure it). */
const CHANNELS_ON = Object.fromEntries(NOTIFICATION_CHANNELS.map((c) => [c, true])) as ChannelPreferences;
const DEFAULT_PREFERENCES: Preferences = { ...CHANNELS_ON, mutedThreads: [], blockedUsers: [] };

/** How long an email handed to the SMTP server is remembered (a job is retried for far less). */
const SENT_KEEP_MS = 7 * 86_400_000;

/** A notification as stored: the API's shape without the read flag (that lives in the unread set). */
export type StoredNotification = Omit<Notification, 'read'>;

export interface NotificationPage {
  notifications: Notification[];
  nextCursor: string | null;
  unread: number;
}

export class NotificationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds to the inbox unless already there; returns whether it was new and the unread count. */
  async deliver(userId: string, n: StoredNotification, keep: number): Promise<{ created: boolean; unread: number }> {
    const k = this.keys.notifications;
    const [created, unread] = (await this.scripts.run(
      this.redis,
      'deliver-notification',
      [k.inbox(userId), k.records(userId), k.unread(userId), k.seq(userId)],
      [n.id, JSON.stringify(n), keep],
    )) as [number, number];
    return { created: created === 1, unread };
  }

  async page(userId: string, cursor: number | undefined, limit: number): Promise<NotificationPage> {
    const k = this.keys.notifications;
    const flat = await this.redis.zrevrangebyscore(
      k.inbox(userId),
      cursor === undefined ? '+inf' : `(${cursor}`,
      '-inf',
      'WITHSCORES',
      'LIMIT',
      0,
      limit + 1,
    );
    const ids: string[] = [];
    const scores: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      ids.push(flat[i]!);
      scores.push(flat[i + 1]!);
    }
    const pageIds = ids.slice(0, limit);
    const tx = this.redis.multi().scard(k.unread(userId));
    if (pageIds.length > 0) tx.hmget(k.records(userId), ...pageIds).smismember(k.unread(userId), ...pageIds);
    const results = (await tx.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    let unread = results[0]![1] as number;
    const records = (results[1]?.[1] ?? []) as (string | null)[];
    const unreadFlags = (results[2]?.[1] ?? []) as number[];
    const stored: StoredNotification[] = [];
    const read = new Map<string, boolean>();
    records.forEach((json, i) => {
      if (!json) return;
      const n = JSON.parse(json) as StoredNotification;
      stored.push(n);
      read.set(n.id, unreadFlags[i] !== 1);
    });
    const { current, dropped } = await this.current(stored);
    const notifications = current.map((n) => ({ ...n, read: read.get(n.id)! }));
    // A dropped entry cannot be opened or marked read by id, so it stops counting as unread.
    const droppedUnread = dropped.filter((id) => read.get(id) === false);
    if (droppedUnread.length > 0) unread = await this.forgetUnread(userId, droppedUnread);
    return { notifications, nextCursor: ids.length > limit ? scores[limit - 1]! : null, unread };
  }

  /**
   * The notifications as they may be shown or sent now: the copy taken at
   * notify time is replaced by the comment's current public form (an edit
   * shows its new text), and one whose comment is no longer visible (deleted,
   * removed, held, or its author erased) is dropped. One pipelined round trip.
   */
  async current<T extends StoredNotification>(stored: T[]): Promise<{ current: T[]; dropped: string[] }> {
    if (stored.length === 0) return { current: [], dropped: [] };
    // Not a pipeline: the comments live in their threads' Cluster slots (the connection auto-pipelines these, per node).
    const rows = await Promise.all(
      stored.map((n) => this.redis.hmget(this.keys.thread.comment(n.comment.threadId, n.comment.id), 'status', 'json')),
    );
    const current: T[] = [];
    const dropped: string[] = [];
    stored.forEach((n, i) => {
      const [status, json] = rows[i]!;
      const comment = status === 'visible' && json ? (JSON.parse(json) as Comment) : null;
      if (comment?.status === 'visible') current.push({ ...n, comment });
      else dropped.push(n.id);
    });
    return { current, dropped };
  }

  private async forgetUnread(userId: string, ids: string[]): Promise<number> {
    const unread = this.keys.notifications.unread(userId);
    const results =
      (await this.redis
        .multi()
        .srem(unread, ...ids)
        .scard(unread)
        .exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    return results[1]![1] as number;
  }

  /** The whole inbox as stored, newest first (bounded by NOTIFY_INBOX_SIZE), with read flags. */
  async all(userId: string): Promise<Notification[]> {
    const k = this.keys.notifications;
    const ids = await this.redis.zrevrange(k.inbox(userId), 0, -1);
    if (ids.length === 0) return [];
    const results =
      (await this.redis
        .multi()
        .hmget(k.records(userId), ...ids)
        .smismember(k.unread(userId), ...ids)
        .exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    const records = results[0]![1] as (string | null)[];
    const unreadFlags = results[1]![1] as number[];
    const out: Notification[] = [];
    records.forEach((json, i) => {
      if (json) out.push({ ...(JSON.parse(json) as StoredNotification), read: unreadFlags[i] !== 1 });
    });
    return out;
  }

  /** Takes these notifications out of a user's inbox (their comment's author was erased). */
  async retract(userId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const k = this.keys.notifications;
    const results =
      (await this.redis
        .multi()
        .zrem(k.inbox(userId), ...ids)
        .hdel(k.records(userId), ...ids)
        .srem(k.unread(userId), ...ids)
        .exec()) ?? [];
    for (const [err] of results) if (err) throw err;
  }

  async records(userId: string, ids: string[]): Promise<StoredNotification[]> {
    if (ids.length === 0) return [];
    const rows = await this.redis.hmget(this.keys.notifications.records(userId), ...ids);
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as StoredNotification);
  }

  async markRead(userId: string, which: { ids: string[] } | { all: true }): Promise<number> {
    const unread = this.keys.notifications.unread(userId);
    const tx = this.redis.multi();
    if ('all' in which) tx.del(unread);
    else tx.srem(unread, ...which.ids);
    tx.scard(unread);
    const results = (await tx.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    return results[1]![1] as number;
  }

  unreadCount(userId: string): Promise<number> {
    return this.redis.scard(this.keys.notifications.unread(userId));
  }

  async preferences(userId: string): Promise<Preferences> {
    const json = await this.redis.get(this.keys.notifications.preferences(userId));
    return json ? { ...DEFAULT_PREFERENCES, ...(JSON.parse(json) as Partial<Preferences>) } : { ...DEFAULT_PREFERENCES };
  }

  async setPreferences(userId: string, prefs: Preferences): Promise<void> {
    await this.redis.set(this.keys.notifications.preferences(userId), JSON.stringify(prefs));
  }

  /** 'send' now, or 'digest' (folded into the digest due at `endsAt`). Deciding twice for one id gives the same answer. */
  async admit(userId: string, notificationId: string, maxPerWindow: number, windowMs: number, now: number) {
    const k = this.keys.notifications;
    const [decision, endsAt, first] = (await this.scripts.run(
      this.redis,
      'admit-out-of-band',
      [k.window(userId), k.decisions(userId), k.digest(userId)],
      [notificationId, maxPerWindow, windowMs, now],
    )) as [string, number, number];
    return { decision: decision as 'send' | 'digest', endsAt: Number(endsAt), first: first === 1 };
  }

  /**
   * What the digest of the window ending at `windowEndsAt` covers: ids folded
   * in that window (or an earlier one whose digest never ran), oldest first.
   * `entries` are the list items, for dropDigest.
   */
  async digestItems(userId: string, windowEndsAt: number): Promise<{ ids: string[]; entries: string[] }> {
    const entries = (await this.redis.lrange(this.keys.notifications.digest(userId), 0, -1)).filter(
      (e) => Number(e.slice(0, e.indexOf(':'))) <= windowEndsAt,
    );
    return { ids: entries.map((e) => e.slice(e.indexOf(':') + 1)), entries };
  }

  /** Drops exactly the items a digest covered; ids folded into later windows stay, however often this runs. */
  async dropDigest(userId: string, entries: string[]): Promise<void> {
    if (entries.length === 0) return;
    const key = this.keys.notifications.digest(userId);
    const pipeline = this.redis.pipeline();
    for (const e of entries) pipeline.lrem(key, 1, e);
    await pipeline.exec();
  }

  /** Whether this message was already handed to the SMTP server (by an earlier run of the job). */
  async emailSent(userId: string, messageId: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.notifications.emailSent(userId), messageId)) !== null;
  }

  /** One key per user (not per message), so erasing a user finds it; entries older than a week are dropped. */
  async markEmailSent(userId: string, messageId: string): Promise<void> {
    const key = this.keys.notifications.emailSent(userId);
    const now = this.now().getTime();
    await this.redis
      .multi()
      .zadd(key, now, messageId)
      .zremrangebyscore(key, '-inf', now - SENT_KEEP_MS)
      .pexpire(key, SENT_KEEP_MS)
      .exec();
  }
}
