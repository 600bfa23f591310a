import type { Comment } from '../../client/contract/index.ts';
import type { AuthUser, Deps } from '../context.ts';

/**
 * Hands a stored comment to the workers: abuse screening (not for moderators'
 * own comments) and notifications. The comment is already stored and
 * acknowledged either way: if Redis refuses the jobs we log and count it
 * rather than fail the post.
 */
export async function afterWrite(deps: Deps, author: Pick<AuthUser, 'role'>, comment: Comment, reason: 'posted' | 'edited' | 'approved'): Promise<void> {
  try {
    // Moderators' own comments, and comments a moderator just approved, are not screened.
    const screen = author.role === 'commenter' && reason !== 'approved';
    await deps.queues.commentChanged(comment, reason, { screen });
  } catch (err) {
    deps.metrics.enqueueFailures.inc({ queue: 'after-write' });
    deps.log.error({ err, commentId: comment.id }, 'could not enqueue screening and notifications');
  }
}
