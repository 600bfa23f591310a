import type { Preferences } from '../../contract/index.ts';
import type { CoreDeps } from '../../server/context.ts';
import type { StoredNotification } from '../../server/store/notifications.ts';
import { jobIds } from '../../server/jobs/queues.ts';
import { channelsFor, queueDeliveries, type DeliveriesDeps } from './channels.ts';

/** What this processor uses. */
export type OutOfBandDeps = Pick<CoreDeps, 'config' | 'store' | 'queues' | 'now'> & DeliveriesDeps;

/**
 * The out-of-band channels (workers/channels/) for one notification: sent now
 * while the recipient is under NOTIFY_MAX_PER_WINDOW in the current window,
 * otherwise folded into a digest sent when the window ends (one digest job per
 * window: its id says so).
 */
export async function sendOutOfBand(deps: OutOfBandDeps, recipientId: string, n: StoredNotification, prefs?: Preferences): Promise<void> {
  const open = await channelsFor(deps, recipientId, prefs);
  if (!open) return;
  const { maxPerWindow, windowMs } = deps.config.notify;
  const now = deps.now().getTime();
  const { decision, endsAt } = await deps.store.notifications.admit(recipientId, n.id, maxPerWindow, windowMs, now);
  if (decision === 'digest') {
    await deps.queues.digest.add(
      'digest',
      { recipientId, windowEndsAt: endsAt },
      { jobId: jobIds.digest(recipientId, endsAt), delay: Math.max(0, endsAt - now) },
    );
    return;
  }
  await queueDeliveries(deps, open, { messageKey: n.id, kind: 'notification', notificationIds: [n.id] });
}
