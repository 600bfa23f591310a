import type { Comment } from '../../client/contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { acceptBody } from '../domain/body.ts';
import { newCommentId, newEpoch, threadIdOfComment } from '../domain/ids.ts';
import { AppError, errors } from '../errors.ts';
import { notifyLater } from './notify-later.ts';
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

export async function postComment(deps: Deps, actor: Actor, input: PostCommentInput): Promise<PostCommentResult> {
  if (!actor) throw errors.unauthenticated('Sign in to comment');
  const body = acceptBody(input.body);
  if (input.parentId && threadIdOfComment(input.parentId) !== input.threadId) {
    throw parentIssue('must be a comment of this thread');
  }
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
        if (result.comment.status === 'visible') await notifyLater(deps, result.comment, 'posted');
        return { comment: result.comment, duplicate: false };
      case 'duplicate': {
        const original = await deps.store.comments.get(input.threadId, result.commentId);
        if (!original) throw new AppError('internal', 'The original comment for this clientId is missing');
        return { comment: original.comment, duplicate: true };
      }
      case 'rejected':
        if (result.reason === 'thread_locked') throw errors.locked();
        if (result.reason === 'parent_not_found') throw parentIssue('must be a visible comment of this thread');
    }
  }
  throw new AppError('internal', 'Could not allocate a comment id', { context: { threadId: input.threadId } });
}
