import type { NotificationKind, Preferences } from '../../contract/index.ts';
import type { CoreDeps } from '../../server/context.ts';
import { MAX_MENTIONS } from '../../server/domain/mentions.ts';
import type { CommentRecord } from '../../server/store/comments.ts';

/** What this processor uses. */
export type RecipientsDeps = Pick<CoreDeps, 'store'>;

export interface Recipient {
  userId: string;
  kind: NotificationKind;
  /** Read to apply mutes and blocks; reused to pick out-of-band channels. */
  prefs: Preferences;
}

/**
 * Who hears about a comment: the parent comment's author (a reply) and the
 * mentioned users (at most 10), never the author, and nobody who muted the
 * thread or blocked the author. Someone both replied to and mentioned gets
 * one notification, as a reply. Threads are public, so every signed-in user
 * may read them; a comment that is no longer visible notifies nobody.
 */
export async function resolveRecipients(deps: RecipientsDeps, record: CommentRecord): Promise<Recipient[]> {
  if (record.status !== 'visible') return [];
  const candidates = new Map<string, NotificationKind>();
  if (record.parentId) {
    const parent = await deps.store.comments.get(record.threadId, record.parentId);
    if (parent) candidates.set(parent.authorId, 'reply');
  }
  for (const m of record.comment.mentions.slice(0, MAX_MENTIONS)) {
    if (!candidates.has(m.userId)) candidates.set(m.userId, 'mention');
  }
  candidates.delete(record.authorId);

  const recipients = await Promise.all(
    [...candidates].map(async ([userId, kind]): Promise<Recipient> => ({
      userId,
      kind,
      prefs: await deps.store.notifications.preferences(userId),
    })),
  );
  return recipients.filter(({ prefs }) => !prefs.mutedThreads.includes(record.threadId) && !prefs.blockedUsers.includes(record.authorId));
}
