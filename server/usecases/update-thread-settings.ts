import { rooms, type Thread, type ThreadSettings } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { newEpoch } from '../domain/ids.ts';
import { recordDecision, type DecisionDeps } from '../moderation/decisions.ts';
import { actingModerator, type ActingDeps } from './moderation/acting.ts';

/** The ports this use case uses. */
export type UpdateThreadSettingsDeps = Pick<Deps, 'store' | 'emitter'> & ActingDeps & DecisionDeps;

function describe(s: ThreadSettings): string {
  const parts: string[] = [];
  if (s.locked !== undefined) parts.push(s.locked ? 'locked' : 'unlocked');
  if (s.slowModeSeconds !== undefined) parts.push(s.slowModeSeconds > 0 ? `slow mode ${s.slowModeSeconds} s` : 'slow mode off');
  if (s.premod !== undefined) parts.push(s.premod ? 'pre-moderation on' : 'pre-moderation off');
  return parts.join(', ');
}

/** Lock/unlock, slow mode, pre-moderation. Everyone viewing the thread is told at once. */
export async function updateThreadSettings(deps: UpdateThreadSettingsDeps, actor: Actor, input: { threadId: string; settings: ThreadSettings }): Promise<{ thread: Thread }> {
  const mod = await actingModerator(deps, actor);
  await deps.store.threads.updateSettings(input.threadId, input.settings, newEpoch());
  const thread = await deps.store.threads.get(input.threadId);
  await deps.emitter.emit(rooms.thread(input.threadId), 'thread:updated', { thread });
  await recordDecision(deps, {
    by: { kind: 'user', id: mod.id, handle: mod.handle },
    action: 'thread_settings',
    target: { threadId: input.threadId },
    reasons: [{ rule: 'thread_settings', detail: describe(input.settings) }],
    before: null,
    after: null,
    thread,
  });
  return { thread };
}
