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
    // Indexed and counted under its author in the same round trip as the insert (those keys are in the author's
    // hash slots, not the thread's, so not in the script): data export and erasure find comments by the index,
    // pre-moderation counts published comments, a ban removes recent ones. Undone if nothing was stored.
    const published = status === 'visible';
    const at = deps.now().getTime();
    const [result] = await Promise.all([
      jobs ? writeWithJobs(deps, jobs, insert, (r) => r.kind === 'stored') : insert(),
      deps.store.users.indexComment(actor.id, commentId, at, deps.config.dataRequests.commentIndexMax),
      deps.store.users.noteComment(actor.id, commentId, at, published),
    ]);
    if (result.kind !== 'stored') await deps.store.users.unnoteComment(actor.id, commentId, published);
    switch (result.kind) {
      case 'stored': {
        const outcome = { kind: 'posted', comment: result.comment, moderation, jobs } as const;
        // Automatic moderation's records (queues, audit) are awaited: their failure fails the post, as a record's
        // does. A plain post's follow-ups are notices (the feed, its jobs through the outbox) that never fail the
        // write: they start once the author has been answered (next turn of the event loop), off the ack's path.
        if (moderation) await followUp(deps, outcome);
        else setImmediate(() => void followUp(deps, outcome).catch(() => undefined));
        return { comment: result.comment, duplicate: false };
      }
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
