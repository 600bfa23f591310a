import type { CoreDeps } from '../../server/context.ts';
import { channelsFor, queueDeliveries, type DeliveriesDeps } from '../notify/channels.ts';
import { digestKey, type DigestJob } from '../../server/jobs/queues.ts';

/** What this processor uses. */
export type DigestDeps = Pick<CoreDeps, 'store'> & DeliveriesDeps;

/**
 * When a recipient's window ends: everything held back during it goes out as
 * one message per channel. Items whose comment is no longer visible are left
 * out (and with none left, nothing is sent); the delivery jobs check again
 * when they run. The held ids are removed only after the messages are queued
 * (with ids derived from the window), so a re-run after a crash queues the
 * same messages again, which BullMQ ignores; what was folded into the next
 * window meanwhile is not this digest's and stays.
 */
export async function processDigest(deps: DigestDeps, job: DigestJob): Promise<{ count: number }> {
  const { notifications } = deps.store;
  const { ids, entries } = await notifications.digestItems(job.recipientId, job.windowEndsAt);
  if (ids.length === 0) return { count: 0 };
  const { current } = await notifications.current(await notifications.records(job.recipientId, ids));
  const open = current.length > 0 ? await channelsFor(deps, job.recipientId) : null;
  if (open) {
    await queueDeliveries(deps, open, {
      messageKey: digestKey(job.recipientId, job.windowEndsAt),
      kind: 'digest',
      notificationIds: current.map((n) => n.id),
    });
  }
  await notifications.dropDigest(job.recipientId, entries);
  return { count: current.length };
}
