import type { Comment } from '../../client/contract/index.ts';
import type { Actor, Deps, Origin } from '../context.ts';
import { acceptBody } from '../domain/body.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import { errors } from '../errors.ts';
import { afterWrite } from './after-write.ts';
import { resolveMentions } from './resolve-mentions.ts';

export const MAX_EDITS_PER_COMMENT = 10;

export async function editComment(
  deps: Deps,
  actor: Actor,
  input: { commentId: string; body: string },
  origin: Origin = { ip: undefined },
): Promise<{ comment: Comment }> {
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
  // Edits draw on the same per-user and per-IP budgets as new comments.
  await deps.limits.check({ actor, ip: origin.ip, threadId, slowModeSeconds: 0, kind: 'edit', now: deps.now() });

  const mentions = await resolveMentions(deps, body, actor.id);
  const result = await deps.store.comments.edit(threadId, input.commentId, body, mentions, deps.now(), MAX_EDITS_PER_COMMENT);
  if (result.kind === 'rejected') {
    if (result.reason === 'not_found') throw errors.notFound('Comment');
    if (result.reason === 'too_many_edits') {
      throw errors.forbidden(`A comment can be edited at most ${MAX_EDITS_PER_COMMENT} times`, { limit: MAX_EDITS_PER_COMMENT });
    }
    throw errors.conflict('This comment can no longer be edited');
  }
  // Screened again; someone newly mentioned hears about it (those already told are not told twice).
  if (result.comment.status === 'visible') await afterWrite(deps, actor, result.comment, 'edited');
  return { comment: result.comment };
}
