import type { CommentPage, ListCommentsQuery } from '../../client/contract/index.ts';
import type { Deps } from '../context.ts';

/** A page of readable comments plus the offset to follow live changes from. */
export async function listComments(deps: Deps, threadId: string, query: ListCommentsQuery): Promise<CommentPage> {
  const page = await deps.store.comments.page(threadId, {
    order: query.order,
    limit: query.limit,
    after: query.cursor === undefined ? undefined : Number(query.cursor),
  });
  return { comments: page.comments, nextCursor: page.nextCursor, offset: page.thread.offset, epoch: page.thread.epoch };
}
