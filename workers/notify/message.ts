import type { ThreadRef, UserRef } from '../../contract/index.ts';
import type { CoreDeps } from '../../server/context.ts';
import type { StoredNotification } from '../../server/store/notifications.ts';
import type { MessageRef } from '../../server/jobs/queues.ts';

/** What this processor uses. */
export type MessageDeps = Pick<CoreDeps, 'store'>;

/** A message as it may go out now: its recipient and the notifications still fit to send. */
export interface CurrentMessage {
  recipient: UserRef;
  kind: MessageRef['kind'];
  items: StoredNotification[];
}

/**
 * Reads what a queued channel message (an email, a webhook) is about, at the
 * moment it is sent: the recipient (gone if erased), their inbox entries (gone if trimmed or
 * erased) and each comment's current public form. Null when nothing is left
 * to send: the message is dropped, not sent with removed text.
 */
export async function currentMessage(deps: MessageDeps, ref: MessageRef): Promise<CurrentMessage | null> {
  // A job queued by an earlier version carries rendered text and no ids: it cannot be checked, so it is not sent.
  if (!Array.isArray(ref.notificationIds)) return null;
  const { notifications, users } = deps.store;
  const [recipient, stored] = await Promise.all([
    users.contact(ref.recipientId),
    notifications.records(ref.recipientId, ref.notificationIds),
  ]);
  if (!recipient) return null;
  const { current } = await notifications.current(stored);
  if (current.length === 0) return null;
  return { recipient: { id: recipient.id, handle: recipient.handle, name: recipient.name }, kind: ref.kind, items: current };
}

/** A digest's threads (each once, in order of first appearance) and its one-line summary, for every channel. */
export function digestOf(items: StoredNotification[]): { threads: ThreadRef[]; summary: string } {
  const threads = [...new Map(items.map((n) => [n.thread.id, n.thread] as [string, ThreadRef])).values()];
  const count = items.length;
  const summary = `${count} more ${count === 1 ? 'mention or reply' : 'mentions and replies'} in ${threads.length} ${threads.length === 1 ? 'thread' : 'threads'}`;
  return { threads, summary };
}
