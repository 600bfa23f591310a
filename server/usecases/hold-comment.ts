import type { AuthoredComment, CommentStatus, Decider, ModerationRecord, Reason } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import type { CommentRef } from '../store/comments.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { recordDecision, type DecisionDeps } from '../moderation/decisions.ts';

/** The ports this use case uses. */
export type HoldDeps = Pick<Deps, 'store' | 'modFeed' | 'now'> & DecisionDeps;

export type HoldOutcome = 'held' | 'already-held' | 'not-visible';

/** A comment to hold: its id (which names its thread) and its author (for the author's pending index). */
export type HoldTarget = Omit<CommentRef, 'threadId'>;

/**
 * Puts a visible comment on hold: its status becomes `pending`, readers see it
 * disappear (`comment.removed` with status pending), its author is told, and
 * it waits in the moderators' pending queue with the reasons. Holding twice
 * changes nothing.
 */
export async function holdComment(deps: HoldDeps, comment: HoldTarget, reasons: Reason[], by: Decider): Promise<HoldOutcome> {
  const commentId = comment.id;
  const threadId = threadIdOfComment(commentId);
  const now = deps.now();
  const moderation: ModerationRecord = { status: 'pending', action: 'hold', by, reasons, at: now.toISOString() };
  const result = await deps.store.comments.setStatus({ ...comment, threadId }, 'pending', ['visible'], moderation);
  if (result.kind === 'rejected') return 'not-visible';
  if (result.kind === 'unchanged') {
    // A re-run after a crash must still leave it queued.
    await deps.store.moderation.enqueue('pending', commentId, threadId, now.getTime());
    return 'already-held';
  }
  await announceHold(deps, result.comment, moderation, result.previous);
  return 'held';
}

/** What follows a hold once it is stored (here, or by an edit): queued, moderators and the author told, audited. */
export async function announceHold(deps: HoldDeps, comment: AuthoredComment, moderation: ModerationRecord, previous: CommentStatus): Promise<void> {
  await Promise.all([queueForReview(deps, comment, moderation, previous), deps.modFeed.publish({ type: 'hold', comment, moderation }, comment.threadId)]);
}

/**
 * A comment automatic moderation (or a hold) put up for review: onto the
 * pending or flagged queue and into the audit log; the author of a newly
 * held comment is told. `before`: its status before, null for a new comment.
 */
export async function queueForReview(deps: HoldDeps, comment: AuthoredComment, moderation: ModerationRecord, before: CommentStatus | null): Promise<void> {
  const queue = comment.status === 'pending' ? 'pending' : 'flagged';
  await Promise.all([
    deps.store.moderation.enqueue(queue, comment.id, comment.threadId, Date.parse(moderation.at)),
    recordDecision(deps, {
      by: moderation.by,
      action: moderation.action ?? queue,
      target: { commentId: comment.id, threadId: comment.threadId, userId: comment.author.id },
      reasons: moderation.reasons,
      before,
      after: comment.status,
      comment,
    }),
    queue === 'pending' && before !== 'pending' ? deps.modFeed.tellAuthor(comment) : null,
  ]);
}
