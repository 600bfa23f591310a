import type { UserRef } from '../../client/contract/index.ts';
import type { Deps } from '../../server/context.ts';

export interface Channels {
  recipient: UserRef;
  /** Address to email, or null when email is off for this user (or the site). */
  email: string | null;
  webhook: boolean;
}

/** The out-of-band channels open for a recipient right now, or null if none. */
export async function channelsFor(deps: Deps, recipientId: string): Promise<Channels | null> {
  const { smtpUrl, webhookUrl } = deps.config.notify;
  if (!smtpUrl && !webhookUrl) return null;
  const [contact, prefs] = await Promise.all([
    deps.store.users.contact(recipientId),
    deps.store.notifications.preferences(recipientId),
  ]);
  if (!contact) return null;
  const email = smtpUrl && prefs.email && contact.email ? contact.email : null;
  const webhook = Boolean(webhookUrl) && prefs.webhook;
  if (!email && !webhook) return null;
  return { recipient: { id: contact.id, handle: contact.handle, name: contact.name }, email, webhook };
}
