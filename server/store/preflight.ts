import type { RedisClient } from './redis.ts';
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
 * Reads it all in one round trip; the retry lookup only when there is a clientId.
 * Separate commands, not a pipeline: the keys live in different Cluster slots
 * (thread, user, moderation), and the command connection auto-pipelines what
 * is sent in one tick (per node on a Cluster).
 */
export async function loadPostContext(redis: RedisClient, keys: Keys, q: PostContextQuery, now: number): Promise<PostContext> {
  const [[locked, slowMode, premod], ban, approved, settings, wordlistsVersion, existingCommentId] = await Promise.all([
    redis.hmget(keys.thread.meta(q.threadId), 'locked', 'slowMode', 'premod'),
    redis.get(keys.user.ban(q.userId)),
    redis.hget(keys.user.record(q.userId), 'approved'),
    redis.get(keys.moderation.settings),
    redis.get(keys.moderation.wordlistsVersion),
    q.clientId ? redis.get(keys.thread.idempotency(q.threadId, q.userId, q.clientId)) : null,
  ]);
  return {
    existingCommentId,
    thread: { locked: locked === '1', slowModeSeconds: Number(slowMode ?? 0), premod: premod === '1' },
    ban: activeBanFrom(ban, now),
    approvedCount: Number(approved ?? 0),
    settings: settingsFrom(settings),
    wordlistsVersion: Number(wordlistsVersion ?? 0),
  };
}
