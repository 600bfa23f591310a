import type { Thread } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { newEpoch } from '../domain/ids.ts';
import { actingModerator, type ActingDeps } from './moderation/acting.ts';

/** The ports this use case uses. */
export type PutThreadDeps = Pick<Deps, 'store'> & ActingDeps;

export async function putThread(
  deps: PutThreadDeps,
  actor: Actor,
  input: { threadId: string; title: string; url: string },
): Promise<{ thread: Thread }> {
  await actingModerator(deps, actor);
  await deps.store.threads.put(input.threadId, input.title, input.url, newEpoch());
  return { thread: await deps.store.threads.get(input.threadId) };
}
