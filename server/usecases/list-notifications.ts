import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';
import type { NotificationPage } from '../store/notifications.ts';

/** The ports this use case uses. */
export type ListNotificationsDeps = Pick<Deps, 'store'>;

export async function listNotifications(
  deps: ListNotificationsDeps,
  actor: Actor,
  query: { cursor?: string | undefined; limit: number },
): Promise<NotificationPage> {
  if (!actor) throw errors.unauthenticated();
  return deps.store.notifications.page(actor.id, query.cursor === undefined ? undefined : Number(query.cursor), query.limit);
}
