import type { Preferences, UserRef } from '../../contract/index.ts';
import type { CoreDeps } from '../../server/context.ts';
import { jobIds, type MessageRef } from '../../server/jobs/queues.ts';

/** What this processor uses. */
export type ChannelDeps = Pick<CoreDeps, 'config' | 'store' | 'queues'>;

export interface Channels {
  recipient: UserRef;
  /** Address to email, or null when email is off for this user (or the site). */
  email: string | null;
  webhook: boolean;
}

/**
 * The out-of-band channels open for a recipient right now, or null if none.
 * Pass the preferences when the caller already read them.
 */
export async function channelsFor(deps: ChannelDeps, recipientId: string, known?: Preferences): Promise<Channels | null> {
  const { smtpUrl, webhookUrl } = deps.config.notify;
  if (!smtpUrl && !webhookUrl) return null;
  const [contact, prefs] = await Promise.all([
    deps.store.users.contact(recipientId),
    known ?? deps.store.notifications.preferences(recipientId),
  ]);
  if (!contact) return null;
  const email = smtpUrl && prefs.email && contact.email ? contact.email : null;
  const webhook = Boolean(webhookUrl) && prefs.webhook;
  if (!email && !webhook) return null;
  return { recipient: { id: contact.id, handle: contact.handle, name: contact.name }, email, webhook };
}

/**
 * Queues one message on every open channel. `messageKey` names the message
 * (a notification or a window's digest): it is the email's Message-ID, the
 * webhook-id, and part of both job ids, so queueing it again adds nothing.
 * The jobs carry notification ids only; the text is read when they run.
 */
export async function queueDeliveries(
  deps: ChannelDeps,
  channels: Channels,
  message: { messageKey: string } & Omit<MessageRef, 'recipientId'>,
): Promise<void> {
  const recipientId = channels.recipient.id;
  const ref: MessageRef = { recipientId, kind: message.kind, notificationIds: message.notificationIds };
  const jobs: Promise<unknown>[] = [];
  if (channels.email) {
    jobs.push(deps.queues.email.add('email', { ...ref, messageId: message.messageKey, to: channels.email }, { jobId: jobIds.email(message.messageKey) }));
  }
  if (channels.webhook) {
    jobs.push(deps.queues.webhook.add('webhook', { ...ref, webhookId: message.messageKey }, { jobId: jobIds.webhook(message.messageKey) }));
  }
  await Promise.all(jobs);
}
