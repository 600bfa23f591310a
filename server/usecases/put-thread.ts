import type { Thread } from '../../client/contract/index.ts';
import { isModerator, type Actor, type Deps } from '../context.ts';
import { newEpoch } from '../domain/ids.ts';
import { errors } from '../errors.ts';

export async function putThread(
  deps: Deps,
  actor: Actor,
  input: { threadId: string; title: string; url: string },
): Promise<{ thread: Thread }> {
  if (!actor) throw errors.unauthenticated();
  if (!isModerator(actor)) throw errors.forbidden('Only moderators and admins can create or edit threads');
  await deps.store.threads.put(input.threadId, input.title, input.url, newEpoch());
  return { thread: await deps.store.threads.get(input.threadId) };
}
