import type { ThreadRef } from '../../client/contract/index.ts';
import type { Deps } from '../../server/context.ts';
import { renderDigestEmail } from '../email/render.ts';
import { channelsFor, queueDeliveries } from '../notify/channels.ts';
import { digestKey, type DigestJob } from '../queues.ts';

function digestSummary(count: number, threads: number): string {
  return `${count} more ${count === 1 ? 'mention or reply' : 'mentions and replies'} in ${threads} ${threads === 1 ? 'thread' : 'threads'}`;
}

/**
 * When a recipient's window ends: everything held back during it goes out as
 * one message per channel. The held ids are removed only after the messages
 * are queued (with ids derived from the window), so a re-run after a crash
 * queues the same messages again, which BullMQ ignores; what was folded into
 * the next window meanwhile is not this digest's and stays.
 */
export async function processDigest(deps: Deps, job: DigestJob): Promise<{ count: number }> {
  const { notifications } = deps.store;
  const { ids, entries } = await notifications.digestItems(job.recipientId, job.windowEndsAt);
  if (ids.length === 0) return { count: 0 };
  const items = await notifications.records(job.recipientId, ids);
  const channels = await channelsFor(deps, job.recipientId);
  if (channels && items.length > 0) {
    const threads = [...new Map(items.map((n) => [n.thread.id, n.thread] as [string, ThreadRef])).values()];
    const summary = digestSummary(items.length, threads.length);
    await queueDeliveries(deps, channels, {
      messageKey: digestKey(job.recipientId, job.windowEndsAt),
      email: () => renderDigestEmail(summary, items),
      webhook: () => ({ type: 'digest', recipient: channels.recipient, summary, count: items.length, threads, notifications: items }),
    });
  }
  await notifications.dropDigest(job.recipientId, entries);
  return { count: items.length };
}
