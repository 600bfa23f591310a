import type { RedisClient } from './redis.ts';
import type { Role, UserRef } from '../../contract/index.ts';
import { keysOwnedBy, type Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';
import type { UserIdentity } from '../domain/actor.ts';
import type { ResolvedMention } from '../domain/mentions.ts';

/** A user as the token named them (see domain/actor.ts), recorded on sight. */
export interface UserClaims extends UserIdentity {
  /** Characters nobody sees were taken out of the name the host site sent. */
  nameHidden?: boolean;
  /** The token's iat in seconds, if it had one (checked against an erasure). */
  issuedAt?: number | undefined;
}

export interface UserProfile {
  id: string;
  handle: string;
  name: string;
  role: Role;
  email: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export type UpsertResult =
  { ok: true; createdAt: string; role: Role; roleChanged: boolean } | { ok: false; reason: 'handle_taken' | 'name_lookalike' | 'erased' };

export class UserStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
  ) {}

  /**
   * Refuses a handle another user holds, and a name with hidden characters
   * taken out whose stored form another user holds. Names compare
   * case-insensitively there, so "alice\u200B SMITH" cannot pass for "Alice Smith".
   */
  async upsert(user: UserClaims, now: Date): Promise<UpsertResult> {
    const k = this.keys.user;
    const [status, value, role, changed] = (await this.scripts.run(
      this.redis,
      'upsert-user',
      [k.record(user.id), k.handles, k.handlesLex, k.names, k.erased(user.id)],
      [
        user.id,
        user.handle,
        user.handle.toLowerCase(),
        user.name,
        user.role,
        user.email ?? '',
        now.toISOString(),
        user.name.toLowerCase(),
        user.nameHidden ? '1' : '0',
        user.issuedAt === undefined ? '' : String(user.issuedAt),
      ],
    )) as [string, string, string?, string?];
    if (status === 'ok') return { ok: true, createdAt: value, role: role as Role, roleChanged: changed === '1' };
    return { ok: false, reason: value === 'name_lookalike' || value === 'erased' ? value : 'handle_taken' };
  }

  /**
   * Remembers that the user was erased at `atSeconds`, for `retainSeconds`
   * (long enough for every token issued until then to expire), so those
   * tokens cannot record the user again (upsert refuses them).
   */
  async markErased(userId: string, atSeconds: number, retainSeconds: number): Promise<void> {
    await this.redis.set(this.keys.user.erased(userId), String(atSeconds), 'EX', retainSeconds);
  }

  /** Whether Threadline has a record, an indexed comment or a recent erasure of this user id. */
  async known(userId: string): Promise<boolean> {
    const k = this.keys.user;
    const [record, comments, erased] = await Promise.all([
      this.redis.exists(k.record(userId)),
      this.redis.exists(k.comments(userId)),
      this.redis.exists(k.erased(userId)),
    ]);
    return record + comments + erased > 0;
  }

  /**
   * Takes the user out of the display-name index; needs the user record (it
   * says which entry is theirs), so `erase` runs it before deleting that.
   */
  async releaseName(userId: string): Promise<void> {
    await this.scripts.run(this.redis, 'release-name', [this.keys.user.record(userId), this.keys.user.names], [userId]);
  }

  /** Maps lower-cased handles to the users holding them; unknown handles are absent. */
  async resolveHandles(lowerHandles: string[]): Promise<Map<string, ResolvedMention>> {
    const found = new Map<string, ResolvedMention>();
    if (lowerHandles.length === 0) return found;
    const ids = await this.redis.hmget(this.keys.user.handles, ...lowerHandles);
    const users = await this.refs(ids.filter((id): id is string => id !== null));
    const byId = new Map(users.map((u) => [u.id, u]));
    lowerHandles.forEach((handle, i) => {
      const user = byId.get(ids[i] ?? '');
      if (user) found.set(handle, { userId: user.id, handle: user.handle });
    });
    return found;
  }

  /** Public identity of each user id that exists, in the order given. */
  async refs(ids: string[]): Promise<UserRef[]> {
    if (ids.length === 0) return [];
    // Not a pipeline, which ioredis refuses across Cluster slots; the connection auto-pipelines these (per node).
    const rows = await Promise.all(ids.map((id) => this.redis.hmget(this.keys.user.record(id), 'id', 'handle', 'name')));
    const out: UserRef[] = [];
    for (const [id, handle, name] of rows) {
      if (id && handle && name) out.push({ id, handle, name });
    }
    return out;
  }

  /** Identity plus email (when the host site gave one) for notification delivery. */
  async contact(id: string): Promise<(UserRef & { email: string | null }) | null> {
    const [uid, handle, name, email] = await this.redis.hmget(this.keys.user.record(id), 'id', 'handle', 'name', 'email');
    if (!uid || !handle || !name) return null;
    return { id: uid, handle, name, email: email || null };
  }

  /**
   * Notes a comment the user wrote (for "remove their recent comments"), and
   * whether it was published (pre-moderation of new users counts those).
   */
  async noteComment(userId: string, commentId: string, at: number, published: boolean): Promise<void> {
    // Plain commands, not MULTI: each is harmless alone, and auto-pipelined they share the insert's write.
    const recent = this.keys.user.recentComments(userId);
    await Promise.all([
      this.redis.zadd(recent, at, commentId),
      this.redis.zremrangebyscore(recent, '-inf', at - 86_400_000),
      this.redis.pexpire(recent, 86_400_000),
      published ? this.redis.hincrby(this.keys.user.record(userId), 'approved', 1) : null,
    ]);
  }

  /** Takes back a noteComment whose comment was not stored after all (the write was refused or a replay). */
  async unnoteComment(userId: string, commentId: string, published: boolean): Promise<void> {
    await Promise.all([
      this.redis.zrem(this.keys.user.recentComments(userId), commentId),
      published ? this.redis.hincrby(this.keys.user.record(userId), 'approved', -1) : null,
    ]);
  }

  /**
   * Indexes a comment id under its author (data export and erasure), keeping
   * the newest `keep`. Called alongside the insert, before knowing it
   * succeeded: an id that was never stored is skipped by readers of the index.
   */
  async indexComment(userId: string, commentId: string, at: number, keep: number): Promise<void> {
    const key = this.keys.user.comments(userId);
    await Promise.all([this.redis.zadd(key, at, commentId), this.redis.zremrangebyrank(key, 0, -(keep + 1))]);
  }

  /** A batch of the user's indexed comment ids, oldest first. */
  commentIds(userId: string, count: number, start = 0): Promise<string[]> {
    return this.redis.zrange(this.keys.user.comments(userId), start, start + count - 1);
  }

  async unindexComments(userId: string, commentIds: string[]): Promise<void> {
    if (commentIds.length > 0) await this.redis.zrem(this.keys.user.comments(userId), ...commentIds);
  }

  /** What Threadline stores about a user (for a data export), or null if it has no record. */
  async profile(userId: string): Promise<UserProfile | null> {
    const [id, handle, name, role, email, createdAt, updatedAt] = await this.redis.hmget(
      this.keys.user.record(userId),
      'id',
      'handle',
      'name',
      'role',
      'email',
      'createdAt',
      'updatedAt',
    );
    if (!id || !handle || !name) return null;
    return {
      id,
      handle,
      name,
      role: (role ?? 'commenter') as Role,
      email: email || null,
      createdAt: createdAt ?? null,
      updatedAt: updatedAt ?? null,
    };
  }

  /**
   * Deletes every key of the user's own (keysOwnedBy) but the comment index,
   * their display-name index entry, and their handle index entries (only
   * while the handle still points at them). Idempotent.
   */
  async erase(userId: string): Promise<void> {
    const k = this.keys.user;
    // First: the record names the entry (awaited: after a script cache flush EVALSHA's retry as EVAL could reorder them).
    await this.releaseName(userId);
    await this.scripts.run(this.redis, 'erase-user', [k.record(userId), k.handles, k.handlesLex], [userId]);
    // One key per command: the keys live in different hash slots. The comment index is left to empty
    // entry by entry (an empty zset is no key): an id a racing post adds meanwhile is found by a retry.
    const index = k.comments(userId);
    await Promise.all(keysOwnedBy(this.keys, userId).flatMap((key) => (key === index ? [] : [this.redis.unlink(key)])));
  }

  async notePublished(userId: string): Promise<void> {
    await this.redis.hincrby(this.keys.user.record(userId), 'approved', 1);
  }

  /** The user's comment ids since `sinceMs` (at most a day back). */
  async recentComments(userId: string, sinceMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.user.recentComments(userId), sinceMs, '+inf');
  }

  async role(userId: string): Promise<string | null> {
    return this.redis.hget(this.keys.user.record(userId), 'role');
  }

  /** When Threadline first saw this user, or null if unknown. */
  async firstSeen(id: string): Promise<Date | null> {
    const createdAt = await this.redis.hget(this.keys.user.record(id), 'createdAt');
    return createdAt ? new Date(createdAt) : null;
  }

  /** Lower-cased handles starting with `prefix`, in alphabetical order. */
  async handlesWithPrefix(prefix: string, limit: number): Promise<string[]> {
    const p = prefix.toLowerCase();
    return this.redis.zrangebylex(this.keys.user.handlesLex, p ? `[${p}` : '-', p ? `[${p}\xff` : '+', 'LIMIT', 0, limit);
  }

  async userIdsForHandles(lowerHandles: string[]): Promise<string[]> {
    if (lowerHandles.length === 0) return [];
    const ids = await this.redis.hmget(this.keys.user.handles, ...lowerHandles);
    return ids.filter((id): id is string => id !== null);
  }
}
