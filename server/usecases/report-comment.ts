import type { ReportBodySchema } from '../../client/contract/index.ts';
import type { z } from 'zod';
import type { Actor, Deps } from '../context.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { errors } from '../errors.ts';
import { holdComment } from './hold-comment.ts';

/**
 * A signed-in reader reports a visible comment (once per comment: a second
 * report changes nothing). Moderators see it live and in the reported queue;
 * when REPORT_HOLD_THRESHOLD different readers have reported it, it is held.
 */
export async function reportComment(
  deps: Deps,
  actor: Actor,
  input: { commentId: string } & z.output<typeof ReportBodySchema>,
): Promise<{ reported: boolean; reports: number }> {
  if (!actor) throw errors.unauthenticated('Sign in to report comments');
  const threadId = threadIdOfComment(input.commentId);
  const record = await deps.store.comments.get(threadId, input.commentId);
  if (!record || record.status !== 'visible') throw errors.notFound('Comment');
  if (record.authorId === actor.id) throw errors.forbidden('You cannot report your own comment');

  const now = deps.now();
  const { added, count } = await deps.store.moderation.report(record.id, actor.id, { reason: input.reason, note: input.note ?? null, at: now.toISOString() });
  if (!added) return { reported: false, reports: count };
  await deps.store.moderation.enqueue('reported', record.id, threadId, now.getTime());
  await deps.modFeed.publish(
    {
      type: 'report',
      comment: record.comment,
      reason: input.reason,
      note: input.note ?? null,
      reporter: { id: actor.id, handle: actor.handle, name: actor.name },
      reports: count,
    },
    threadId,
  );
  deps.modFeed.queuesChanged();
  if (count >= deps.config.reportHoldThreshold) {
    await holdComment(deps, record, [{ rule: 'reports', detail: `reported by ${count} readers` }], { kind: 'system', name: 'reports' });
  }
  return { reported: true, reports: count };
}
