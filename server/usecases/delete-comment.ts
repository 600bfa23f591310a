import type { AuthoredComment } from '../../contract/index.ts';
import { isModerator, type Actor, type Deps } from '../context.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { errors } from '../errors.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';
import { actingModerator, type ActingDeps } from './moderation/acting.ts';
import { decide, type ModerateCommentDeps } from './moderation/moderate-comment.ts';

/** The ports this use case uses. */
export type DeleteCommentDeps = Pick<Deps, 'store'> & ActingDeps & ModerateCommentDeps & FollowUpDeps;

/**
 * Authors delete their own comments (status `deleted`); moderators remove
 * anyone's (status `removed`). Deleting twice answers with the same comment.
 */
export async function deleteComment(
  deps: DeleteCommentDeps,
  actor: Actor,
  input: { commentId: string },
): Promise<{ comment: AuthoredComment }> {
  if (!actor) throw errors.unauthenticated('Sign in to delete');
  const threadId = threadIdOfComment(input.commentId);
  const record = await deps.store.comments.get(threadId, input.commentId);
  if (!record) throw errors.notFound('Comment');
  const isAuthor = record.authorId === actor.id;
  if (!isAuthor && !isModerator(actor)) throw errors.forbidden('Only the author or a moderator can delete a comment');
  // A moderator removing someone's comment is a moderation decision: queued, audited, first-wins.
  if (!isAuthor) {
    const { comment } = await decide(
      deps,
      await actingModerator(deps, actor),
      { commentId: input.commentId, action: 'reject' },
      { record },
    );
    return { comment };
  }
  if (record.status === 'deleted' || record.status === 'removed') return { comment: record.comment };

  const result = await deps.store.comments.setStatus(record, 'deleted', ['visible', 'pending']);
  switch (result.kind) {
    case 'unchanged':
      return { comment: result.comment };
    case 'rejected':
      if (result.reason === 'not_found') throw errors.notFound('Comment');
      // Removed by a moderator in the meantime: gone either way.
      return { comment: (await deps.store.comments.get(threadId, input.commentId))?.comment ?? record.comment };
    case 'changed':
      await followUp(deps, { kind: 'deleted', comment: result.comment });
      return { comment: result.comment };
  }
}
