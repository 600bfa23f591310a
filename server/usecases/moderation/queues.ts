import type { QueueItem, QueueName, ReportReason } from '../../../contract/index.ts';
import type { Actor, Deps } from '../../context.ts';
import { threadIdOfComment } from '../../domain/ids.ts';
import { actingModerator, type ActingDeps } from './acting.ts';

/** The ports this use case uses. */
export type ListQueueDeps = Pick<Deps, 'store'> & ActingDeps;

/** A page of a moderation queue (site-wide, or one thread), oldest first, with reports and claims. */
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
  const ids = page.items.map((i) => i.commentId);
  const [claims, records, reports] = await Promise.all([
    moderation.claims(ids),
    Promise.all(ids.map((id) => comments.get(threadIdOfComment(id), id))),
    Promise.all(ids.map((id) => moderation.reports(id))),
  ]);
  const items: QueueItem[] = [];
  for (const [i, entry] of page.items.entries()) {
    const record = records[i];
    if (!record) continue;
    const reasons: Partial<Record<ReportReason, number>> = {};
    for (const r of reports[i]!) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    items.push({
      // Moderators see the text even of removed comments.
      comment: { ...record.comment, body: record.body },
      moderation: record.moderation,
      reports: { count: reports[i]!.length, reasons, notes: reports[i]!.map((r) => r.note).filter((n): n is string => !!n) },
      claim: claims[i] ?? null,
      queuedAt: new Date(entry.at).toISOString(),
    });
  }
  return { items, nextCursor: page.nextCursor, counts };
}
