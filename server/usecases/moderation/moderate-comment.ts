import type { AuthoredComment, CommentAction, ModerationRecord, Reason } from '../../../contract/index.ts';
import type { Actor, AuthUser, Deps } from '../../context.ts';
import { threadIdOfComment } from '../../domain/ids.ts';
import { errors } from '../../errors.ts';
import { afterTheFact } from '../../moderation/decisions.ts';
import type { CommentRecord, StatusResult } from '../../store/comments.ts';
import type { OutboxEntry } from '../../store/outbox.ts';
import { jobEntry, listForJobs, writeWithJobs, type AfterWriteDeps } from '../after-write.ts';
import { followUp, type FollowUpDeps } from '../follow-up.ts';
import { actingModerator, type ActingDeps } from './acting.ts';

/** The ports this use case uses. */
export type ModerateCommentDeps = Pick<Deps, 'store' | 'now'> & ActingDeps & AfterWriteDeps & FollowUpDeps;

type ActionInput = { commentId: string; action: CommentAction; reason?: string | undefined };

/**
 * approve, reject, restore, feature, unfeature. Readers see the result at
 * once (an approved comment appears, a rejected one disappears, featuring is
 * an update). When two moderators act on one item, the first wins and the
 * second gets `conflict` saying what happened; repeating your own action is
 * harmless.
 */
export async function moderateComment(deps: ModerateCommentDeps, actor: Actor, input: ActionInput): Promise<{ comment: AuthoredComment }> {
  const { comment } = await decide(deps, await actingModerator(deps, actor), input);
  return { comment };
}

/**
 * moderateComment for callers that have already checked the moderator, and
 * may have read the comment or have their own reasons (a ban removing the
 * author's comments). `changed`: this call made the change.
 */
export async function decide(
  deps: ModerateCommentDeps,
  mod: AuthUser,
  input: ActionInput,
  opts: { record?: CommentRecord | undefined; reasons?: Reason[] } = {},
): Promise<{ comment: AuthoredComment; changed: boolean }> {
  const threadId = threadIdOfComment(input.commentId);
  const record = opts.record ?? (await deps.store.comments.get(threadId, input.commentId));
  if (!record) throw errors.notFound('Comment');
  const decision: ModerationRecord = {
    status: record.status,
    action: input.action,
    by: { kind: 'user', id: mod.id, handle: mod.handle },
    reasons: opts.reasons ?? (input.reason ? [{ rule: 'moderator', detail: input.reason }] : []),
    at: deps.now().toISOString(),
  };
  const { comments, moderation } = deps.store;
  let result: StatusResult;
  // Approving publishes the comment, so its notifications go out: through the outbox (see after-write.ts).
  let jobs: OutboxEntry | null = null;
  switch (input.action) {
    case 'approve':
      if (record.status === 'pending') {
        await listForJobs(deps, threadId);
        jobs = jobEntry(deps, { role: 'commenter' }, threadId, record.id, 'approved');
        const publish = () => comments.setStatus(record, 'visible', ['pending'], { ...decision, status: 'visible' });
        result = await writeWithJobs(deps, jobs, publish, (r) => r.kind === 'changed');
        break;
      }
      if (record.status === 'visible') {
        // Approving a published comment clears its flags and reports. Taking it
        // off the queues is atomic, so of two moderators only one does it.
        if (!(await moderation.dequeue(['flagged', 'reported'], record.id, threadId)))
          return unchanged(afterTheFact(mod.id, input.action, record));
        await Promise.all([
          comments.setModeration(threadId, record.id, { ...decision, status: 'visible' }),
          moderation.clearReports(record.id),
        ]);
        await followUp(deps, {
          kind: 'moderated',
          action: input.action,
          decision,
          comment: record.comment,
          before: 'visible',
          previous: 'visible',
          jobs: null,
        });
        return { comment: record.comment, changed: true };
      }
      // Another moderator's decision that landed first (two acting at once) is named as such, like any lost race.
      if (record.status === 'removed' && record.moderation?.by.kind === 'user')
        return unchanged(afterTheFact(mod.id, input.action, record));
      throw errors.conflict(`The comment is ${record.status}; restore it instead`, { status: record.status });
    case 'reject':
      result = await comments.setStatus(record, 'removed', ['visible', 'pending'], { ...decision, status: 'removed' });
      break;
    case 'restore':
      result = await comments.setStatus(record, 'visible', ['removed'], { ...decision, status: 'visible' });
      break;
    case 'feature':
    case 'unfeature':
      result = await comments.setFeatured(threadId, record.id, input.action === 'feature', decision);
      break;
  }

  if (result.kind !== 'changed') {
    const current = await comments.get(threadId, record.id);
    if (!current) throw errors.notFound('Comment');
    return unchanged(afterTheFact(mod.id, input.action, current));
  }
  // The queues follow the decision, then it is audited (follow-up/comments.ts).
  const { comment, previous } = result;
  await followUp(deps, { kind: 'moderated', action: input.action, decision, comment, before: record.status, previous, jobs });
  return { comment: result.comment, changed: true };
}

const unchanged = ({ comment }: { comment: AuthoredComment }) => ({ comment, changed: false });
