import type { CoreDeps } from '../../server/context.ts';

/** What this processor uses. */
export type SweepDeps = Pick<CoreDeps, 'config' | 'store' | 'queues' | 'log' | 'metrics' | 'now'>;

/** Threads read from the list per round trip, and entries handled per thread per sweep. */
const THREADS_PER_PAGE = 200;
const ENTRIES_PER_THREAD = 100;

/**
 * Adds the jobs that a write recorded in its thread's outbox but did not get
 * to add (the queue connection failed, the server died): every entry older
 * than OUTBOX_GRACE_SECONDS (younger ones are still their request's to
 * finish). Jobs are added for the comment as it is now; one no longer visible
 * needs none. Job ids are derived from the comment, so a job its request did
 * add after all is not added twice. Threads left with an empty outbox come
 * off the list. Runs on a BullMQ job scheduler (one sweep at a time across
 * all worker processes); a sweep that fails is simply the next one's work.
 */
export async function sweepOutbox(deps: SweepDeps, now = deps.now().getTime()): Promise<{ enqueued: number; dropped: number }> {
  const { outbox, comments } = deps.store;
  const before = now - deps.config.outbox.graceMs;
  let enqueued = 0;
  let dropped = 0;
  for (let offset = 0; ; offset += THREADS_PER_PAGE) {
    const threads = await outbox.threads(offset, THREADS_PER_PAGE);
    if (threads.length === 0) break;
    const forgotten = await Promise.all(
      threads.map(async ({ threadId, listedAt }) => {
        const { entries, total } = await outbox.due(threadId, before, ENTRIES_PER_THREAD);
        for (const entry of entries) {
          const record = await comments.get(threadId, entry.commentId);
          if (record?.status === 'visible') {
            await deps.queues.commentChanged(record.comment, entry);
            enqueued++;
          } else {
            dropped++;
          }
          await outbox.done(entry);
        }
        return total === 0 && (await outbox.forget(threadId, listedAt, now));
      }),
    );
    // Forgotten threads left the list: the next page starts that much earlier.
    offset -= forgotten.filter(Boolean).length;
  }
  if (enqueued > 0) {
    deps.metrics.outboxReplayed.inc(enqueued);
    deps.log.warn({ enqueued, dropped }, 'added jobs that writes had left in their outbox');
  }
  return { enqueued, dropped };
}
