import { rooms } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';

/** The ports this use case uses. */
export type MarkNotificationsReadDeps = Pick<Deps, 'store' | 'emitter'>;

/** Marks some or all notifications read; every open tab of the user gets the new count. */
export async function markNotificationsRead(
  deps: MarkNotificationsReadDeps,
  actor: Actor,
  which: { ids: string[] } | { all: true },
): Promise<{ unread: number }> {
  if (!actor) throw errors.unauthenticated();
  const unread = await deps.store.notifications.markRead(actor.id, which);
  await deps.emitter.emit(rooms.user(actor.id), 'notifications:unread', { unread });
  return { unread };
}
