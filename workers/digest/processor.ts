import type { ThreadRef, WebhookPayload } from '../../client/contract/index.ts';
import type { Deps } from '../../server/context.ts';
import { renderDigestEmail } from '../email/render.ts';
import { channelsFor } from '../notify/channels.ts';
import { digestKey, jobIds, type DigestJob } from '../queues.ts';

export function digestSummary(count: number, threads: number): string {
  return `${count} more ${count === 1 ? 'mention or reply' : 'mentions and replies'} in ${threads} ${threads === 1 ? 'thread' : 'threads'}`;
}

/**
 * When a recipient's window ends: everything held back during it goes out as
 * one message per channel. The held ids are removed only after the messages
 * are queued (with ids derived from the window), so a re-run after a crash
 * queues the same messages again, which BullMQ ignores.
 */
export async function processDigest(deps: Deps, job: DigestJob): Promise<{ count: number }> {
  const { notifications } = deps.store;
  const ids = await notifications.digestIds(job.recipientId);
  if (ids.length === 0) return { count: 0 };
  const items = await notifications.records(job.recipientId, ids);
  const channels = await channelsFor(deps, job.recipientId);
  if (channels && items.length > 0) {
    const threads = [...new Map(items.map((n) => [n.thread.id, n.thread] as [string, ThreadRef])).values()];
    const summary = digestSummary(items.length, threads.length);
    const key = digestKey(job.recipientId, job.windowEndsAt);
    if (channels.email) {
      const mail = renderDigestEmail(summary, items);
      await deps.queues.email.add('email', { recipientId: job.recipientId, messageId: key, to: channels.email, ...mail }, { jobId: jobIds.email(key) });
    }
    if (channels.webhook) {
      const payload: WebhookPayload = { type: 'digest', recipient: channels.recipient, summary, count: items.length, threads, notifications: items };
      await deps.queues.webhook.add('webhook', { recipientId: job.recipientId, webhookId: key, body: JSON.stringify(payload) }, { jobId: jobIds.webhook(key) });
    }
  }
  await notifications.trimDigest(job.recipientId, ids.length);
  return { count: items.length };
}
