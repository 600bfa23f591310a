import type { AuthoredComment } from '../../contract/index.ts';
import type { Actor, Deps, Origin } from '../context.ts';
import { acceptBody } from '../domain/body.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { errors } from '../errors.ts';
import { automodRecord, moderate } from '../moderation/pipeline.ts';
import { afterWrite, jobEntry, listForJobs, writeWithJobs, type AfterWriteDeps } from './after-write.ts';
import { announceHold, queueForReview, type HoldDeps } from './hold-comment.ts';
import { resolveMentions, type ResolveMentionsDeps } from './resolve-mentions.ts';

/** The ports this use case uses. */
export type EditCommentDeps = Pick<Deps, 'config' | 'store' | 'limits' | 'wordlists' | 'modFeed' | 'now'> &
  AfterWriteDeps &
  HoldDeps &
  ResolveMentionsDeps;

export const MAX_EDITS_PER_COMMENT = 10;

/**
 * The author changes their comment within the edit window. The new text goes
 * through the ban check and the word lists like a new comment: a banned term
 * refuses the edit; a suspect one holds the comment before the new text is
 * shown to anyone.
 */
export async function editComment(
  deps: EditCommentDeps,
  actor: Actor,
  input: { commentId: string; body: string },
  origin: Origin = { ip: undefined },
): Promise<{ comment: AuthoredComment }> {
  if (!actor) throw errors.unauthenticated('Sign in to edit');
  const body = acceptBody(input.body);
  const threadId = threadIdOfComment(input.commentId);
  const record = await deps.store.comments.get(threadId, input.commentId);
  if (!record) throw errors.notFound('Comment');
  if (record.authorId !== actor.id) throw errors.forbidden('Only the author can edit a comment');
  if (record.status === 'deleted' || record.status === 'removed') {
    throw errors.conflict(`This comment was ${record.status} and can no longer be edited`, { status: record.status });
  }
  const windowMs = deps.config.comments.editWindowSeconds * 1000;
  if (deps.now().getTime() - Date.parse(record.createdAt) > windowMs) {
    throw errors.forbidden(`Comments can be edited for ${Math.round(windowMs / 60_000)} minutes after posting`);
  }
  if (body === record.body) return { comment: record.comment };

  const ctx = await deps.store.preflight.postContext({ threadId, userId: actor.id, clientId: undefined });
  const words = await deps.wordlists.get(ctx.wordlistsVersion);
  const decision = moderate({ kind: 'edit', actor, body, thread: ctx.thread, ban: ctx.ban, approvedCount: ctx.approvedCount, settings: ctx.settings, words });
  if (decision.kind === 'refuse') throw decision.error;
  // A comment public before and after the edit is screened and notified again: its jobs go through the outbox.
  const republished = record.status === 'visible' && decision.status === 'visible';
  // Edits draw on the same per-user and per-IP budgets as new comments; the mention lookup and the outbox listing share the round trip.
  const [, mentions] = await Promise.all([
    deps.limits.check({ actor, ip: origin.ip, threadId, slowModeSeconds: 0, kind: 'edit', now: deps.now() }),
    resolveMentions(deps, body, actor.id),
    republished ? listForJobs(deps, threadId) : null,
  ]);

  const now = deps.now();
  const automod = automodRecord(decision, now);
  // The new text and what automatic moderation made of it are stored together: a refused edit leaves no trace.
  const edit = () => deps.store.comments.edit(record, {
    body,
    mentions,
    editedAt: now,
    maxEdits: MAX_EDITS_PER_COMMENT,
    automod,
    hold: decision.status === 'pending',
  });
  const jobs = republished ? jobEntry(deps, actor, threadId, record.id, 'edited') : null;
  const result = jobs ? await writeWithJobs(deps, jobs, edit, (r) => r.kind === 'stored' && r.comment.status === 'visible') : await edit();
  if (result.kind === 'rejected') {
    if (result.reason === 'not_found') throw errors.notFound('Comment');
    if (result.reason === 'too_many_edits') throw tooManyEdits();
    throw errors.conflict('This comment can no longer be edited');
  }
  const comment = result.comment;
  const followUps: Promise<unknown>[] = [deps.modFeed.publish({ type: 'comment', change: 'edited', comment, moderation: automod ?? record.moderation }, threadId)];
  if (automod && comment.status === 'pending' && result.previous === 'visible') followUps.push(announceHold(deps, comment, automod, result.previous));
  else if (automod) followUps.push(queueForReview(deps, comment, automod, result.previous));
  // Screened again; someone newly mentioned hears about it (those already told are not told twice).
  if (jobs && comment.status === 'visible') followUps.push(afterWrite(deps, comment, jobs));
  await Promise.all(followUps);
  return { comment };
}

const tooManyEdits = () => errors.forbidden(`A comment can be edited at most ${MAX_EDITS_PER_COMMENT} times`, { limit: MAX_EDITS_PER_COMMENT });
