import { QUEUES, type EraseResponse } from '../../contract/index.ts';
import { notificationId } from '../jobs/queues.ts';
import { CLOCK_TOLERANCE_SECONDS } from '../auth/tokens.ts';
import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { dataSubject, type DataSubjectDeps } from './data-subject.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';

/** The ports this use case uses. */
export type EraseUserDeps = Pick<Deps, 'config' | 'store' | 'identities' | 'emitter' | 'now'> & DataSubjectDeps & FollowUpDeps;

/** Comments erased at once; the index is read again after each batch. */
const BATCH = 100;

/**
 * Erases a user (their own request, or an admin's): every comment found in
 * their comment index becomes a `deleted` tombstone with no body, mentions or
 * author name (readers in the thread get `comment.removed`, moderators lose
 * it from their queues), notifications about it leave other users' inboxes,
 * they leave the threads' participant lists, and then every key of their own
 * is deleted. One audit entry records the erasure (by id only).
 *
 * Safe to retry after a crash midway: each step is idempotent, and a
 * comment leaves the index only once it is fully erased, so a retry finds
 * whatever is left (the index is not deleted wholesale; it empties).
 */
export async function eraseUser(deps: EraseUserDeps, actor: Actor, input: { userId?: string | undefined } = {}): Promise<EraseResponse> {
  const { userId, admin } = await dataSubject(deps, actor, input.userId);
  const { users } = deps.store;
  // A repeat of a finished erasure still finds its marker, and answers like one with nothing left.
  if (admin && !(await users.known(userId))) throw errors.notFound('User');
  // First, so that from here on the user's tokens record nobody (a request racing this one, or a
  // socket refreshing its token) and every server drops their cached identity and open sockets.
  await users.markErased(userId, Math.floor(deps.now().getTime() / 1000), deps.config.auth.maxTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS);
  deps.identities.forget(userId);
  await deps.emitter.userErased(userId);
  let erased = 0;
  let ids = await users.commentIds(userId, BATCH);
  do {
    while (ids.length > 0) {
      const changed = await Promise.all(ids.map((id) => eraseComment(deps, userId, id)));
      erased += changed.filter(Boolean).length;
      await users.unindexComments(userId, ids);
      ids = await users.commentIds(userId, BATCH);
    }
    await users.erase(userId);
    // A comment posted while this ran (the user, signed in elsewhere) is erased too.
    ids = await users.commentIds(userId, BATCH);
  } while (ids.length > 0);
  deps.identities.forget(userId);
  // Audited; queue counts are re-sent whether or not comments left the queues.
  await followUp(deps, { kind: 'erased', userId, admin });
  return { userId, erasedComments: erased };
}

/**
 * Erases one of the user's comments. Returns whether this call turned it into
 * a tombstone (false: missing, not theirs, or done before).
 */
export async function eraseComment(deps: EraseUserDeps, userId: string, commentId: string): Promise<boolean> {
  const { comments, notifications, moderation, screening } = deps.store;
  const threadId = threadIdOfComment(commentId);
  const audience = await comments.audience(threadId, commentId);
  if (!audience || audience.authorId !== userId) return false;

  // First, while the comment still lists its mentions (blanking drops them): notifications about it
  // leave the recipients' inboxes, and screening's memory of who they mentioned goes.
  const told = new Set(audience.mentionedIds);
  if (audience.parentAuthorId) told.add(audience.parentAuthorId);
  told.delete(userId);
  await Promise.all([
    ...[...told].map((recipient) =>
      notifications.retract(recipient, [notificationId(commentId, recipient, 'mention'), notificationId(commentId, recipient, 'reply')]),
    ),
    screening.forgetMentions(userId, audience.mentionedIds),
  ]);

  const ref = { threadId, id: commentId, authorId: userId };
  if ((await comments.erase(ref)) !== 'ok') return false;
  const result = await comments.setStatus(ref, 'deleted', ['visible', 'pending', 'removed']);
  // Also when already deleted: a retry may follow a crash between the status change and this.
  await Promise.all([moderation.dequeue(QUEUES, commentId, threadId), comments.removeParticipant(threadId, userId)]);
  return result.kind === 'changed';
}
