import type { Comment } from '../../client/contract/index.ts';
import type { Actor, Deps, Origin } from '../context.ts';
import { acceptBody } from '../domain/body.ts';
import { newCommentId, newEpoch, threadIdOfComment } from '../domain/ids.ts';
import { AppError, errors } from '../errors.ts';
import { afterWrite } from './after-write.ts';
import { resolveMentions } from './resolve-mentions.ts';

export interface PostCommentInput {
  threadId: string;
  body: string;
  parentId?: string | undefined;
  clientId?: string | undefined;
}

export interface PostCommentResult {
  comment: Comment;
  /** true: this clientId was used before and `comment` is the original. */
  duplicate: boolean;
}

const parentIssue = (message: string) =>
  errors.invalid(`Invalid payload: parentId: ${message}`, { issues: [{ path: 'parentId', message }] });

/**
 * Validates, replays a repeated clientId, checks the thread is open and the
 * posting limits, then stores, logs and publishes the comment in one script.
 * Every refusal happens before anything is written.
 */
export async function postComment(deps: Deps, actor: Actor, input: PostCommentInput, origin: Origin = { ip: undefined }): Promise<PostCommentResult> {
  if (!actor) throw errors.unauthenticated('Sign in to comment');
  const body = acceptBody(input.body);
  if (input.parentId && threadIdOfComment(input.parentId) !== input.threadId) {
    throw parentIssue('must be a comment of this thread');
  }

  const thread = await deps.store.comments.preflight(input.threadId, actor.id, input.clientId);
  // A retry of a post that already succeeded answers with the original, limits or not.
  if (thread.existingCommentId) return replay(deps, input.threadId, thread.existingCommentId);
  if (thread.locked) throw errors.locked();
  await deps.limits.check({
    actor,
    ip: origin.ip,
    threadId: input.threadId,
    slowModeSeconds: thread.slowModeSeconds,
    kind: 'post',
    now: deps.now(),
  });

  const mentions = await resolveMentions(deps, body, actor.id);
  // A random id colliding with an existing one is astronomically unlikely; retry rather than fail.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await deps.store.comments.insert({
      threadId: input.threadId,
      commentId: newCommentId(input.threadId),
      parentId: input.parentId ?? null,
      author: { id: actor.id, handle: actor.handle, name: actor.name },
      body,
      mentions,
      status: 'visible',
      epochCandidate: newEpoch(),
      clientId: input.clientId,
    });
    switch (result.kind) {
      case 'stored':
        if (result.comment.status === 'visible') await afterWrite(deps, actor, result.comment, 'posted');
        return { comment: result.comment, duplicate: false };
      case 'duplicate':
        return replay(deps, input.threadId, result.commentId);
      case 'rejected':
        if (result.reason === 'thread_locked') throw errors.locked();
        if (result.reason === 'parent_not_found') throw parentIssue('must be a visible comment of this thread');
    }
  }
  throw new AppError('internal', 'Could not allocate a comment id', { context: { threadId: input.threadId } });
}

async function replay(deps: Deps, threadId: string, commentId: string): Promise<PostCommentResult> {
  const original = await deps.store.comments.get(threadId, commentId);
  if (!original) throw new AppError('internal', 'The original comment for this clientId is missing', { context: { commentId } });
  return { comment: original.comment, duplicate: true };
}
