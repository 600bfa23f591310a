import type { Preferences } from '../../contract/index.ts';
import type { Deps } from '../../server/context.ts';
import type { StoredNotification } from '../../server/store/notifications.ts';
import { jobIds } from '../queues.ts';
import { channelsFor, queueDeliveries } from './channels.ts';

/**
 * The out-of-band channels (workers/channels/) for one notification: sent now
 * while the recipient is under NOTIFY_MAX_PER_WINDOW in the current window,
 * otherwise folded into a digest sent when the window ends (one digest job per
 * window: its id says so).
 */
export async function sendOutOfBand(deps: Deps, recipientId: string, n: StoredNotification, prefs?: Preferences): Promise<void> {
  const open = await channelsFor(deps, recipientId, prefs);
  if (!open) return;
  const { maxPerWindow, windowMs } = deps.config.notify;
  const now = Date.now();
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
