import type { Preferences } from '../../contract/index.ts';
import type { CoreDeps } from '../../server/context.ts';
import { jobIds, type MessageRef } from '../../server/jobs/queues.ts';
import { channels, type Channel, type Contact } from '../channels/index.ts';

/** What this processor uses. */
export type DeliveriesDeps = Pick<CoreDeps, 'config' | 'store' | 'queues'>;

export interface OpenChannels {
  recipient: Contact;
  /** The channels configured on this site that this recipient wants; never empty. */
  channels: Channel[];
}

/**
 * The out-of-band channels open for a recipient right now, or null if none.
 * Pass the preferences when the caller already read them.
 */
export async function channelsFor(deps: DeliveriesDeps, recipientId: string, known?: Preferences): Promise<OpenChannels | null> {
  const enabled = channels.filter((c) => c.enabled(deps.config));
  if (enabled.length === 0) return null;
  const [contact, prefs] = await Promise.all([
    deps.store.users.contact(recipientId),
    known ?? deps.store.notifications.preferences(recipientId),
  ]);
  if (!contact) return null;
  const open = enabled.filter((c) => c.wants(prefs, contact));
  return open.length > 0 ? { recipient: contact, channels: open } : null;
}

/**
 * Queues one message on every open channel. `messageKey` names the message
 * (a notification or a window's digest): channels use it as the message's id
 * (the email's Message-ID, the webhook-id), and it is part of every job id,
 * so queueing it again adds nothing. The jobs carry notification ids only;
 * the text is read when they run.
 */
export async function queueDeliveries(
  deps: DeliveriesDeps,
  open: OpenChannels,
  message: { messageKey: string } & Omit<MessageRef, 'recipientId'>,
): Promise<void> {
  const { recipient } = open;
  const { messageKey } = message;
  const ref: MessageRef = { recipientId: recipient.id, kind: message.kind, notificationIds: message.notificationIds };
  await Promise.all(
    open.channels.map((c) =>
      deps.queues[c.name].add(c.name, c.job({ recipient, ref, messageKey }), { jobId: jobIds.delivery(c.name, messageKey) }),
    ),
  );
}
