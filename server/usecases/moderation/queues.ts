import type { QueueItem, QueueName } from '../../../contract/index.ts';
import type { Actor, Deps } from '../../context.ts';
import { threadIdOfComment } from '../../domain/ids.ts';
import { actingModerator, type ActingDeps } from './acting.ts';
import { describeItems } from './items.ts';

/** The ports this use case uses. */
export type ListQueueDeps = Pick<Deps, 'store'> & ActingDeps;

/** A page of a moderation queue (site-wide, or one thread), oldest first, each item as describeItems tells it. */
export async function listQueue(
  deps: ListQueueDeps,
  actor: Actor,
  input: { queue: QueueName; threadId?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: QueueItem[]; nextCursor: string | null; counts: Record<QueueName, number> }> {
  const { moderation, comments } = deps.store;
  const [, page, counts] = await Promise.all([
    actingModerator(deps, actor),
    moderation.queuePage(input.queue, input.threadId, input.cursor ? Number(input.cursor) : undefined, input.limit),
    moderation.queueCounts(input.threadId),
  ]);
  const records = await Promise.all(page.items.map(({ commentId }) => comments.get(threadIdOfComment(commentId), commentId)));
  // An id whose comment is gone (erased) is skipped.
  const found = page.items.flatMap((entry, i) => {
    const record = records[i];
    return record ? [{ entry, record }] : [];
  });
  const described = await describeItems(
    deps,
    found.map((f) => f.record),
  );
  const items = described.map((item, i) => ({ ...item, queuedAt: new Date(found[i]!.entry.at).toISOString() }));
  return { items, nextCursor: page.nextCursor, counts };
}
