import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';
import type { NotificationPage } from '../store/notifications.ts';

export async function listNotifications(deps: Deps, actor: Actor, query: { cursor?: string | undefined; limit: number }): Promise<NotificationPage> {
  if (!actor) throw errors.unauthenticated();
  return deps.store.notifications.page(actor.id, query.cursor === undefined ? undefined : Number(query.cursor), query.limit);
}
