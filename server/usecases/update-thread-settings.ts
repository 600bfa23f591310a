import type { Thread, ThreadSettings } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { newEpoch } from '../domain/ids.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';
import { actingModerator, type ActingDeps } from './moderation/acting.ts';

/** The ports this use case uses. */
export type UpdateThreadSettingsDeps = Pick<Deps, 'store'> & ActingDeps & FollowUpDeps;

/** Lock/unlock, slow mode, pre-moderation. Everyone viewing the thread is told at once. */
export async function updateThreadSettings(
  deps: UpdateThreadSettingsDeps,
  actor: Actor,
  input: { threadId: string; settings: ThreadSettings },
): Promise<{ thread: Thread }> {
  const mod = await actingModerator(deps, actor);
  await deps.store.threads.updateSettings(input.threadId, input.settings, newEpoch());
  const thread = await deps.store.threads.get(input.threadId);
  await followUp(deps, { kind: 'thread-settings', threadId: input.threadId, thread, settings: input.settings, by: mod });
  return { thread };
}
