import type { Comment } from '../../client/contract/index.ts';
import type { Deps } from '../context.ts';

/**
 * Hands a stored comment to the notification workers. The comment is already
 * stored and acknowledged either way: if Redis refuses the job we log and
 * count it rather than fail the post.
 */
export async function notifyLater(deps: Deps, comment: Comment, reason: 'posted' | 'edited'): Promise<void> {
  try {
    await deps.queues.commentChanged(comment, reason);
  } catch (err) {
    deps.metrics.enqueueFailures.inc({ queue: 'notify' });
    deps.log.error({ err, commentId: comment.id }, 'could not enqueue notifications');
  }
}
