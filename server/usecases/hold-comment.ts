import type { Decider, Reason } from '../../client/contract/index.ts';
import type { Deps } from '../context.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { recordDecision } from '../moderation/decisions.ts';

export type HoldOutcome = 'held' | 'already-held' | 'not-visible';

/**
 * Puts a visible comment on hold: its status becomes `pending`, readers see it
 * disappear (`comment.removed` with status pending), its author is told, and
 * it waits in the moderators' pending queue with the reasons. Holding twice
 * changes nothing.
 */
export async function holdComment(deps: Deps, commentId: string, reasons: Reason[], by: Decider): Promise<HoldOutcome> {
  const threadId = threadIdOfComment(commentId);
  const now = deps.now();
  const moderation = { status: 'pending' as const, action: 'hold', by, reasons, at: now.toISOString() };
  const result = await deps.store.comments.setStatus(threadId, commentId, 'pending', ['visible'], moderation);
  if (result.kind === 'rejected') return 'not-visible';
  // Also when already pending: a re-run after a crash must still leave it queued.
  await deps.store.moderation.enqueue('pending', commentId, threadId, now.getTime());
  if (result.kind === 'unchanged') return 'already-held';
  const comment = result.comment;
  await Promise.all([
    deps.modFeed.publish({ type: 'hold', comment, moderation }, threadId),
    deps.modFeed.tellAuthor(comment),
    recordDecision(deps, {
      by,
      action: 'hold',
      target: { commentId, threadId, userId: comment.author.id },
      reasons,
      before: result.previous,
      after: 'pending',
      comment,
    }),
  ]);
  return 'held';
}
