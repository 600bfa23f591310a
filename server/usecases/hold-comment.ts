import type { Decider, ModerationRecord, Reason } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import type { CommentRef } from '../store/comments.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';

/** The ports this use case uses. */
export type HoldDeps = Pick<Deps, 'store' | 'now'> & FollowUpDeps;

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
  await followUp(deps, { kind: 'held', comment: result.comment, moderation, previous: result.previous });
  return 'held';
}
