import type { Comment } from '../../client/contract/index.ts';
import { isModerator, type AuthUser, type Deps } from '../context.ts';

/**
 * Hands a stored comment to the workers: abuse screening (not for moderators'
 * own comments) and notifications. The comment is already stored and
 * acknowledged either way: if Redis refuses the jobs we log and count it
 * rather than fail the post.
 */
export async function afterWrite(deps: Deps, author: AuthUser, comment: Comment, reason: 'posted' | 'edited'): Promise<void> {
  try {
    await deps.queues.commentChanged(comment, reason, { screen: !isModerator(author) });
  } catch (err) {
    deps.metrics.enqueueFailures.inc({ queue: 'after-write' });
    deps.log.error({ err, commentId: comment.id }, 'could not enqueue screening and notifications');
  }
}
