import type { CommentPage, ListCommentsQuery } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';

/** The ports this use case uses. */
export type ListCommentsDeps = Pick<Deps, 'store'>;

/**
 * A page of readable comments plus the offset to follow live changes from.
 * A signed-in reader's first page also carries their own comments that wait
 * for a moderator (nobody else sees those).
 */
export async function listComments(deps: ListCommentsDeps, actor: Actor, threadId: string, query: ListCommentsQuery): Promise<CommentPage> {
  const [page, pending] = await Promise.all([
    deps.store.comments.page(threadId, {
      order: query.order,
      limit: query.limit,
      after: query.cursor === undefined ? undefined : Number(query.cursor),
    }),
    actor && query.cursor === undefined ? deps.store.comments.pendingBy(threadId, actor.id) : Promise.resolve(undefined),
  ]);
  return {
    comments: page.comments,
    ...(page.tombstones.length > 0 ? { tombstones: page.tombstones } : {}),
    nextCursor: page.nextCursor,
    offset: page.thread.offset,
    epoch: page.thread.epoch,
    ...(pending && pending.length > 0 ? { pending } : {}),
  };
}
