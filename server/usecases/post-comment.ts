import type { AuthoredComment } from '../../contract/index.ts';
import { isModerator, type Actor, type Deps, type Origin } from '../context.ts';
import { acceptBody } from '../domain/body.ts';
import { newCommentId, newEpoch, threadIdOfComment } from '../domain/ids.ts';
import { AppError, errors } from '../errors.ts';
import { jobEntry, writeWithJobs, type AfterWriteDeps } from './after-write.ts';
import { checkWrite, type CheckWriteDeps } from './check-write.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';

/** The ports this use case uses. */
export type PostCommentDeps = Pick<Deps, 'config' | 'store' | 'now'> & CheckWriteDeps & AfterWriteDeps & FollowUpDeps;

export interface PostCommentInput {
  threadId: string;
  body: string;
  parentId?: string | undefined;
  clientId?: string | undefined;
  /** Imports only (the demo seed), never from a request: the comment's creation time instead of now. */
  createdAt?: Date | undefined;
}

export interface PostCommentResult {
  comment: AuthoredComment;
  /** true: this clientId was used before and `comment` is the original. */
  duplicate: boolean;
}

const parentIssue = (message: string) =>
  errors.invalid(`Invalid payload: parentId: ${message}`, { issues: [{ path: 'parentId', message }] });

/**
 * Validates; replays a repeated clientId; runs automatic moderation (lock,
 * ban, word lists, pre-moderation) and the posting limits; then stores, logs
 * and publishes the comment in one script. Every refusal happens before
 * anything is written.
 */
export async function postComment(
  deps: PostCommentDeps,
  actor: Actor,
  input: PostCommentInput,
  origin: Origin = { ip: undefined },
): Promise<PostCommentResult> {
  if (!actor) throw errors.unauthenticated('Sign in to comment');
  const body = acceptBody(input.body);
  if (input.parentId && threadIdOfComment(input.parentId) !== input.threadId) {
    throw parentIssue('must be a comment of this thread');
  }

  const checked = await checkWrite(deps, actor, origin, {
    kind: 'post',
    threadId: input.threadId,
    body,
    clientId: input.clientId,
    // A published comment gets jobs.
    needsJobs: (status) => status === 'visible',
  });
  if (checked.kind === 'replay') return replay(deps, input.threadId, checked.commentId);
  const { status, automod: moderation, mentions } = checked;

  // A random id colliding with an existing one is astronomically unlikely; retry rather than fail.
  for (let attempt = 0; attempt < 3; attempt++) {
    const commentId = newCommentId(input.threadId);
    const jobs = checked.jobs ? jobEntry(deps, actor, input.threadId, commentId, 'posted') : null;
    const insert = () =>
      deps.store.comments.insert({
        threadId: input.threadId,
        commentId,
        parentId: input.parentId ?? null,
        author: { id: actor.id, handle: actor.handle, name: actor.name },
        body,
        mentions,
        status,
        epochCandidate: newEpoch(),
        clientId: input.clientId,
        moderation,
        ignoreLock: isModerator(actor),
        createdMs: input.createdAt?.getTime(),
      });
    // Indexed under its author in the same round trip as the insert (the index is in the author's
    // hash slot, not the thread's, so not in the script): data export and erasure find comments by it.
    const [result] = await Promise.all([
      jobs ? writeWithJobs(deps, jobs, insert, (r) => r.kind === 'stored') : insert(),
      deps.store.users.indexComment(actor.id, commentId, deps.now().getTime(), deps.config.dataRequests.commentIndexMax),
    ]);
    switch (result.kind) {
      case 'stored':
        await followUp(deps, { kind: 'posted', comment: result.comment, moderation, jobs });
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

async function replay(deps: Pick<Deps, 'store'>, threadId: string, commentId: string): Promise<PostCommentResult> {
  const original = await deps.store.comments.get(threadId, commentId);
  if (!original) throw new AppError('internal', 'The original comment for this clientId is missing', { context: { commentId } });
  return { comment: original.comment, duplicate: true };
}
