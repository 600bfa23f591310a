import type { ReportBodySchema } from '../../contract/index.ts';
import type { z } from 'zod';
import type { Actor, Deps } from '../context.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { errors } from '../errors.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';
import { holdComment, type HoldDeps } from './hold-comment.ts';

/** The ports this use case uses. */
export type ReportCommentDeps = Pick<Deps, 'config' | 'store' | 'now' | 'reportLimits'> & FollowUpDeps & HoldDeps;

// Weights in whole numbers so the sum stays exact in Lua: a new account's report is half an established one's.
const FULL_WEIGHT = 2;
const NEW_ACCOUNT_WEIGHT = 1;

/**
 * A signed-in reader reports a visible comment (once per comment: a second
 * report changes nothing), within RATE_REPORTS per window. Moderators see it
 * live and in the reported queue; when REPORT_HOLD_THRESHOLD established
 * readers have reported it, it is held. An account younger than
 * RATE_NEW_ACCOUNT_HOURS counts half: accounts are free to make, so a few
 * fresh ones must not be enough to take any comment off the page.
 */
export async function reportComment(
  deps: ReportCommentDeps,
  actor: Actor,
  input: { commentId: string } & z.output<typeof ReportBodySchema>,
): Promise<{ reported: boolean; reports: number }> {
  if (!actor) throw errors.unauthenticated('Sign in to report comments');
  const threadId = threadIdOfComment(input.commentId);
  const record = await deps.store.comments.get(threadId, input.commentId);
  if (!record || record.status !== 'visible') throw errors.notFound('Comment');
  if (record.authorId === actor.id) throw errors.forbidden('You cannot report your own comment');

  const now = deps.now();
  const giveBack = await deps.reportLimits.take(actor);
  const isNew = now.getTime() - actor.firstSeenAt.getTime() < deps.config.limits.newAccountMs;
  const weight = isNew ? NEW_ACCOUNT_WEIGHT : FULL_WEIGHT;
  const {
    added,
    count,
    weight: total,
  } = await deps.store.moderation.report(record.id, actor.id, {
    reason: input.reason,
    note: input.note ?? null,
    at: now.toISOString(),
    weight,
  });
  if (!added) {
    await giveBack();
    return { reported: false, reports: count };
  }
  await followUp(deps, {
    kind: 'reported',
    comment: record.comment,
    reason: input.reason,
    note: input.note ?? null,
    reporter: { id: actor.id, handle: actor.handle, name: actor.name },
    reports: count,
    at: now,
  });
  if (total >= deps.config.reportHoldThreshold * FULL_WEIGHT) {
    await holdComment(deps, record, [{ rule: 'reports', detail: `reported by ${count} readers` }], { kind: 'system', name: 'reports' });
  }
  return { reported: true, reports: count };
}
