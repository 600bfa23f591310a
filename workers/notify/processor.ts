import { rooms } from '../../client/contract/index.ts';
import type { Deps } from '../../server/context.ts';
import type { StoredNotification } from '../../server/store/notifications.ts';
import { notificationId, type NotifyJob } from '../queues.ts';
import { sendOutOfBand } from './out-of-band.ts';
import { resolveRecipients } from './recipients.ts';

/**
 * One comment's notifications: an inbox entry per recipient (written once,
 * however often this job runs), a live `notification` with the new unread
 * count on every tab of the recipient, on whichever server they are, then
 * email/webhook delivery subject to the recipient's rate window.
 */
export async function processNotify(deps: Deps, job: NotifyJob): Promise<{ delivered: number }> {
  const record = await deps.store.comments.get(job.threadId, job.commentId);
  if (!record) return { delivered: 0 };
  const recipients = await resolveRecipients(deps, record);
  if (recipients.length === 0) return { delivered: 0 };
  const { id, title, url } = await deps.store.threads.get(job.threadId);

  let delivered = 0;
  for (const r of recipients) {
    const notification: StoredNotification = {
      id: notificationId(record.id, r.userId, r.kind),
      kind: r.kind,
      comment: record.comment,
      thread: { id, title, url },
      createdAt: deps.now().toISOString(),
    };
    const { created, unread } = await deps.store.notifications.deliver(r.userId, notification, deps.config.notify.inboxSize);
    if (created) {
      delivered++;
      await deps.emitter.emit(rooms.user(r.userId), 'notification', { ...notification, read: false, unread });
      deps.metrics.notificationLatency.observe((Date.now() - Date.parse(record.createdAt)) / 1000);
      deps.metrics.deliveries.inc({ channel: 'inbox', kind: 'single' });
    }
    // Also on a re-run: the first run may have died between the inbox and here.
    // Admission and channel jobs are idempotent, so nothing goes out twice.
    await sendOutOfBand(deps, r.userId, notification, r.prefs);
  }
  return { delivered };
}
