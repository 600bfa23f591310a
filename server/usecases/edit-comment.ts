import type { AuthoredComment } from '../../contract/index.ts';
import type { Actor, Deps, Origin } from '../context.ts';
import { acceptBody } from '../domain/body.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { errors } from '../errors.ts';
import { jobEntry, writeWithJobs, type AfterWriteDeps } from './after-write.ts';
import { checkWrite, type CheckWriteDeps } from './check-write.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';

/** The ports this use case uses. */
export type EditCommentDeps = Pick<Deps, 'config' | 'store' | 'now'> & CheckWriteDeps & AfterWriteDeps & FollowUpDeps;

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

  const checked = await checkWrite(deps, actor, origin, {
    kind: 'edit',
    threadId,
    body,
    // A comment public before and after the edit is screened and notified again: its jobs go through the outbox.
    needsJobs: (status) => record.status === 'visible' && status === 'visible',
  });
  const { automod, mentions, at: now } = checked;

  // The new text and what automatic moderation made of it are stored together: a refused edit leaves no trace.
  const edit = () =>
    deps.store.comments.edit(record, {
      body,
      mentions,
      editedAt: now,
      maxEdits: MAX_EDITS_PER_COMMENT,
      automod,
      hold: checked.status === 'pending',
    });
  const jobs = checked.jobs ? jobEntry(deps, actor, threadId, record.id, 'edited') : null;
  const result = jobs ? await writeWithJobs(deps, jobs, edit, (r) => r.kind === 'stored' && r.comment.status === 'visible') : await edit();
  if (result.kind === 'rejected') {
    if (result.reason === 'not_found') throw errors.notFound('Comment');
    if (result.reason === 'too_many_edits') throw tooManyEdits();
    throw errors.conflict('This comment can no longer be edited');
  }
  const comment = result.comment;
  await followUp(deps, { kind: 'edited', comment, previous: result.previous, automod, moderation: record.moderation, jobs });
  return { comment };
}

const tooManyEdits = () =>
  errors.forbidden(`A comment can be edited at most ${MAX_EDITS_PER_COMMENT} times`, { limit: MAX_EDITS_PER_COMMENT });
