import { rooms } from '../../contract/index.ts';
import type { CoreDeps } from '../../server/context.ts';
import type { StoredNotification } from '../../server/store/notifications.ts';
import { notificationId, type NotifyJob } from '../../server/jobs/queues.ts';
import { sendOutOfBand, type OutOfBandDeps } from './out-of-band.ts';
import { resolveRecipients, type Recipient, type RecipientsDeps } from './recipients.ts';

/** What this processor uses. */
export type NotifyDeps = Pick<CoreDeps, 'config' | 'store' | 'emitter' | 'metrics' | 'now'> & RecipientsDeps & OutOfBandDeps;

/**
 * One comment's notifications: an inbox entry per recipient (written once,
 * however often this job runs), a live `notification` with the new unread
 * count on every tab of the recipient, on whichever server they are, then
 * delivery on the out-of-band channels (workers/channels/) subject to the
 * recipient's rate window.
 */
export async function processNotify(deps: NotifyDeps, job: NotifyJob): Promise<{ delivered: number }> {
  const record = await deps.store.comments.get(job.threadId, job.commentId);
  if (!record) return { delivered: 0 };
  const [recipients, thread] = await Promise.all([resolveRecipients(deps, record), deps.store.threads.ref(job.threadId)]);
  const createdAt = deps.now().toISOString();
  // Recipients are independent and every step is idempotent: all at once.
  const created = await Promise.all(
    recipients.map((r) =>
      notifyOne(deps, r, { id: notificationId(record.id, r.userId, r.kind), kind: r.kind, comment: record.comment, thread, createdAt }),
    ),
  );
  return { delivered: created.filter(Boolean).length };
}

async function notifyOne(deps: NotifyDeps, r: Recipient, notification: StoredNotification): Promise<boolean> {
  const { created, unread } = await deps.store.notifications.deliver(r.userId, notification, deps.config.notify.inboxSize);
  const work: Promise<unknown>[] = [
    // Also on a re-run: the first run may have died between the inbox and here.
    // Admission and channel jobs are idempotent, so nothing goes out twice.
    sendOutOfBand(deps, r.userId, notification, r.prefs),
  ];
  if (created) {
    work.push(pushLive(deps, r.userId, notification, unread));
    deps.metrics.notificationLatency.observe((Date.now() - Date.parse(notification.comment.createdAt)) / 1000);
    deps.metrics.deliveries.inc({ channel: 'inbox', kind: 'single' });
  }
  await Promise.all(work);
  return created;
}

/** The live copy is checked like every other: a comment removed since this job read it is not pushed. */
async function pushLive(deps: NotifyDeps, userId: string, notification: StoredNotification, unread: number): Promise<void> {
  const [fresh] = (await deps.store.notifications.current([notification])).current;
  if (fresh) await deps.emitter.emit(rooms.user(userId), 'notification', { ...fresh, read: false, unread });
}
