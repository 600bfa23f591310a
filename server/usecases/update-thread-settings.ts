import { rooms, type Thread, type ThreadSettings } from '../../client/contract/index.ts';
import { isModerator, type Actor, type Deps } from '../context.ts';
import { newEpoch } from '../domain/ids.ts';
import { errors } from '../errors.ts';

/** Lock/unlock, slow mode, pre-moderation. Everyone viewing the thread is told at once. */
export async function updateThreadSettings(
  deps: Deps,
  actor: Actor,
  input: { threadId: string; settings: ThreadSettings },
): Promise<{ thread: Thread }> {
  if (!actor) throw errors.unauthenticated();
  if (!isModerator(actor)) throw errors.forbidden('Only moderators and admins can change thread settings');
  await deps.store.threads.updateSettings(input.threadId, input.settings, newEpoch());
  const thread = await deps.store.threads.get(input.threadId);
  await deps.emitter.emit(rooms.thread(input.threadId), 'thread:updated', { thread });
  return { thread };
}
