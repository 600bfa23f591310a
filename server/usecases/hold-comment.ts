import type { Deps } from '../context.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import type { HoldReason } from '../domain/screening.ts';
import type { ModerationRecord } from '../store/comments.ts';

export type HoldOutcome = 'held' | 'already-held' | 'not-visible';

/**
 * Puts a visible comment on hold: its status becomes `pending`, readers see it
 * disappear (`comment.removed` with status pending), and it waits in the
 * moderators' pending queue with the reasons. Holding twice changes nothing.
 */
export async function holdComment(
  deps: Deps,
  commentId: string,
  reasons: HoldReason[],
  by: ModerationRecord['by'],
): Promise<HoldOutcome> {
  const threadId = threadIdOfComment(commentId);
  const now = deps.now();
  const result = await deps.store.comments.setStatus(threadId, commentId, 'pending', ['visible'], {
    status: 'pending',
    by,
    reasons,
    at: now.toISOString(),
  });
  if (result.kind === 'rejected') return 'not-visible';
  // Also when already pending: a re-run after a crash must still leave it queued.
  await deps.store.moderation.enqueue('pending', commentId, now.getTime());
  return result.kind === 'changed' ? 'held' : 'already-held';
}
