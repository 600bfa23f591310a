import type { Redis } from 'ioredis';
import type { Ban, ModerationSettings } from '../../contract/index.ts';
import type { Keys } from './keys.ts';
import { activeBanFrom, settingsFrom } from './moderation.ts';

/** Everything a post is checked against before it is attempted. */
export interface PostContext {
  /** A comment already stored for this clientId: the post is a retry. */
  existingCommentId: string | null;
  thread: { locked: boolean; slowModeSeconds: number; premod: boolean };
  ban: Ban | null;
  /** Comments of this user that were published (for pre-moderation of new users). */
  approvedCount: number;
  settings: ModerationSettings;
  wordlistsVersion: number;
}

export interface PostContextQuery {
  threadId: string;
  userId: string;
  clientId: string | undefined;
}

/**
 * Reads it all in one round trip; the retry lookup only when there is a
 * clientId. Plain commands rather than an explicit pipeline: the connection
 * auto-pipelines, so they leave in the same write as whatever else the request
 * sends in this turn (the posting limits, the mention lookup).
 */
export async function loadPostContext(redis: Redis, keys: Keys, q: PostContextQuery, now: number): Promise<PostContext> {
  const [[locked, slowMode, premod], ban, approved, settings, wordlistsVersion, existing] = await Promise.all([
    redis.hmget(keys.thread.meta(q.threadId), 'locked', 'slowMode', 'premod'),
    redis.get(keys.user.ban(q.userId)),
    redis.hget(keys.user.record(q.userId), 'approved'),
    redis.get(keys.moderation.settings),
    redis.get(keys.moderation.wordlistsVersion),
    q.clientId ? redis.get(keys.thread.idempotency(q.threadId, q.userId, q.clientId)) : null,
  ]);
  return {
    existingCommentId: existing ?? null,
    thread: { locked: locked === '1', slowModeSeconds: Number(slowMode ?? 0), premod: premod === '1' },
    ban: activeBanFrom(ban ?? null, now),
    approvedCount: Number(approved ?? 0),
    settings: settingsFrom(settings ?? null),
    wordlistsVersion: Number(wordlistsVersion ?? 0),
  };
}
