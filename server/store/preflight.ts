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

/** Reads it all in one round trip; the retry lookup only when there is a clientId. */
export async function loadPostContext(redis: Redis, keys: Keys, q: PostContextQuery, now: number): Promise<PostContext> {
  const pipeline = redis
    .pipeline()
    .hmget(keys.thread.meta(q.threadId), 'locked', 'slowMode', 'premod')
    .get(keys.user.ban(q.userId))
    .hget(keys.user.record(q.userId), 'approved')
    .get(keys.moderation.settings)
    .get(keys.moderation.wordlistsVersion);
  if (q.clientId) pipeline.get(keys.thread.idempotency(q.threadId, q.userId, q.clientId));
  const results = (await pipeline.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
  const [locked, slowMode, premod] = results[0]![1] as (string | null)[];
  return {
    existingCommentId: (results[5]?.[1] as string | null | undefined) ?? null,
    thread: { locked: locked === '1', slowModeSeconds: Number(slowMode ?? 0), premod: premod === '1' },
    ban: activeBanFrom(results[1]![1] as string | null, now),
    approvedCount: Number(results[2]![1] ?? 0),
    settings: settingsFrom(results[3]![1] as string | null),
    wordlistsVersion: Number(results[4]![1] ?? 0),
  };
}
