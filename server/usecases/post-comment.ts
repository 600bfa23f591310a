import type { AuthoredComment, ModerationRecord } from '../../contract/index.ts';
import { isModerator, type Actor, type AuthUser, type Deps, type Origin } from '../context.ts';
import { acceptBody } from '../domain/body.ts';
import { newCommentId, newEpoch, threadIdOfComment } from '../domain/ids.ts';
import { AppError, errors } from '../errors.ts';
import { recordDecision, type DecisionDeps } from '../moderation/decisions.ts';
import { automodRecord, moderate } from '../moderation/pipeline.ts';
import { afterWrite, jobEntry, listForJobs, writeWithJobs, type AfterWriteDeps } from './after-write.ts';
import type { OutboxEntry } from '../store/outbox.ts';
import { queueForReview, type HoldDeps } from './hold-comment.ts';
import { resolveMentions, type ResolveMentionsDeps } from './resolve-mentions.ts';

/** The ports this use case uses. */
export type PostCommentDeps = Pick<Deps, 'config' | 'store' | 'limits' | 'wordlists' | 'modFeed' | 'now'> &
  AfterWriteDeps &
  HoldDeps &
  ResolveMentionsDeps &
  DecisionDeps;

export interface PostCommentInput {
  threadId: string;
  body: string;
  parentId?: string | undefined;
  clientId?: string | undefined;
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
export async function postComment(deps: PostCommentDeps, actor: Actor, input: PostCommentInput, origin: Origin = { ip: undefined }): Promise<PostCommentResult> {
  if (!actor) throw errors.unauthenticated('Sign in to comment');
  const body = acceptBody(input.body);
  if (input.parentId && threadIdOfComment(input.parentId) !== input.threadId) {
    throw parentIssue('must be a comment of this thread');
  }

  const ctx = await deps.store.preflight.postContext({ threadId: input.threadId, userId: actor.id, clientId: input.clientId });
  // A retry of a post that already succeeded answers with the original, limits or not.
  if (ctx.existingCommentId) return replay(deps, input.threadId, ctx.existingCommentId);

  const words = await deps.wordlists.get(ctx.wordlistsVersion);
  const decision = moderate({ kind: 'post', actor, body, thread: ctx.thread, ban: ctx.ban, approvedCount: ctx.approvedCount, settings: ctx.settings, words });
  if (decision.kind === 'refuse') {
    if (decision.reasons.some((r) => r.rule === 'banned_term')) {
      // The refusal is written to the audit log, so attempts count against the poster's budget
      // (not slow mode: the corrected comment may follow at once).
      await deps.limits.check({ actor, ip: origin.ip, threadId: input.threadId, slowModeSeconds: 0, kind: 'post', now: deps.now() });
      await recordDecision(deps, {
        by: { kind: 'system', name: 'automod' },
        action: 'refuse',
        target: { threadId: input.threadId, userId: actor.id },
        reasons: decision.reasons,
        before: null,
        after: null,
      });
    }
    throw decision.error;
  }
  // A published comment gets jobs: its thread is listed for the outbox sweep first (see after-write.ts).
  const published = decision.status === 'visible';
  // Mention lookup only reads and the listing is harmless if the post is refused, so they share the limits' round trip.
  const [, mentions] = await Promise.all([
    deps.limits.check({ actor, ip: origin.ip, threadId: input.threadId, slowModeSeconds: ctx.thread.slowModeSeconds, kind: 'post', now: deps.now() }),
    resolveMentions(deps, body, actor.id),
    published ? listForJobs(deps, input.threadId) : null,
  ]);

  const moderation = automodRecord(decision, deps.now());
  // A random id colliding with an existing one is astronomically unlikely; retry rather than fail.
  for (let attempt = 0; attempt < 3; attempt++) {
    const commentId = newCommentId(input.threadId);
    const jobs = published ? jobEntry(deps, actor, input.threadId, commentId, 'posted') : null;
    const insert = () => deps.store.comments.insert({
      threadId: input.threadId,
      commentId,
      parentId: input.parentId ?? null,
      author: { id: actor.id, handle: actor.handle, name: actor.name },
      body,
      mentions,
      status: decision.status,
      epochCandidate: newEpoch(),
      clientId: input.clientId,
      moderation,
      ignoreLock: isModerator(actor),
    });
    // Indexed under its author in the same round trip as the insert (the index is in the author's
    // hash slot, not the thread's, so not in the script): data export and erasure find comments by it.
    const [result] = await Promise.all([
      jobs ? writeWithJobs(deps, jobs, insert, (r) => r.kind === 'stored') : insert(),
      deps.store.users.indexComment(actor.id, commentId, deps.now().getTime(), deps.config.dataRequests.commentIndexMax),
    ]);
    switch (result.kind) {
      case 'stored':
        await afterStored(deps, actor, result.comment, moderation, jobs);
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

/** Queues, feed, bookkeeping: the comment is stored; these only report on it. */
async function afterStored(deps: PostCommentDeps, actor: AuthUser, comment: AuthoredComment, moderation: ModerationRecord | null, jobs: OutboxEntry | null): Promise<void> {
  const now = deps.now().getTime();
  const published = comment.status === 'visible';
  const work: Promise<unknown>[] = [
    deps.store.users.noteComment(actor.id, comment.id, now, published),
    deps.modFeed.publish({ type: 'comment', change: 'created', comment, moderation }, comment.threadId),
  ];
  if (jobs) work.push(afterWrite(deps, comment, jobs));
  if (moderation) work.push(queueForReview(deps, comment, moderation, null));
  await Promise.all(work);
}

async function replay(deps: PostCommentDeps, threadId: string, commentId: string): Promise<PostCommentResult> {
  const original = await deps.store.comments.get(threadId, commentId);
  if (!original) throw new AppError('internal', 'The original comment for this clientId is missing', { context: { commentId } });
  return { comment: original.comment, duplicate: true };
}
