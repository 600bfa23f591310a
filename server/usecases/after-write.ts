import type { Comment, Role } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import { outboxEntry, type JobReason, type OutboxEntry } from '../store/outbox.ts';

/** The ports this use case uses. */
export type AfterWriteDeps = Pick<Deps, 'store' | 'queues' | 'log' | 'metrics' | 'now'>;

/** Moderators' own comments, and comments a moderator just approved, are not screened. */
const screens = (role: Role, reason: JobReason) => role === 'commenter' && reason !== 'approved';

/**
 * A write that will need jobs lists its thread for the outbox sweep first (see
 * store/outbox.ts); if that fails, the write is refused with nothing stored.
 */
export function listForJobs(deps: AfterWriteDeps, threadId: string): Promise<void> {
  return deps.store.outbox.list(threadId, deps.now().getTime());
}

/** The outbox entry of a write (after listForJobs) that will need jobs for this comment. */
export function jobEntry(
  deps: AfterWriteDeps,
  author: { role: Role },
  threadId: string,
  commentId: string,
  reason: JobReason,
): OutboxEntry {
  return outboxEntry(threadId, commentId, reason, screens(author.role, reason), deps.now().getTime());
}

/**
 * Runs a write with its outbox entry recorded just before it. A write that
 * stored nothing (refused, a replay) takes its entry back.
 */
export async function writeWithJobs<T>(
  deps: AfterWriteDeps,
  entry: OutboxEntry,
  write: () => Promise<T>,
  stored: (result: T) => boolean,
): Promise<T> {
  const { result, recorded } = await deps.store.outbox.around(entry, write);
  if (!recorded)
    deps.log.error({ commentId: entry.commentId }, 'could not record the outbox entry; if enqueueing fails too, its jobs are lost');
  if (!stored(result)) await forget(deps, entry);
  return result;
}

/**
 * Hands a stored comment to the workers: abuse screening and notifications.
 * The comment is already stored and acknowledged either way: if the queue
 * connection refuses the jobs we log and count it rather than fail the
 * write, and the outbox sweep adds them after OUTBOX_GRACE_SECONDS.
 */
export async function afterWrite(deps: AfterWriteDeps, comment: Comment, entry: OutboxEntry): Promise<void> {
  try {
    await deps.queues.commentChanged(comment, entry);
  } catch (err) {
    deps.metrics.enqueueFailures.inc({ queue: 'after-write' });
    deps.log.error({ err, commentId: comment.id }, 'could not enqueue screening and notifications; the outbox sweep will');
    return;
  }
  await forget(deps, entry);
}

/** The entry has served its purpose; if forgetting it fails, the sweep re-adds jobs that exist (a no-op). */
async function forget(deps: AfterWriteDeps, entry: OutboxEntry): Promise<void> {
  await deps.store.outbox
    .done(entry)
    .catch((err: unknown) => deps.log.warn({ err, commentId: entry.commentId }, 'could not clear an outbox entry'));
}
