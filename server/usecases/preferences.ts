import type { Preferences } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';

/** The ports this use case uses. */
export type PreferencesDeps = Pick<Deps, 'store'>;

export async function getPreferences(deps: PreferencesDeps, actor: Actor): Promise<{ preferences: Preferences }> {
  if (!actor) throw errors.unauthenticated();
  return { preferences: await deps.store.notifications.preferences(actor.id) };
}

/** Fields left out keep their value. */
export async function updatePreferences(
  deps: PreferencesDeps,
  actor: Actor,
  changes: Partial<Preferences>,
): Promise<{ preferences: Preferences }> {
  if (!actor) throw errors.unauthenticated();
  const current = await deps.store.notifications.preferences(actor.id);
  const preferences: Preferences = {
    ...current,
    ...changes,
    ...(changes.mutedThreads ? { mutedThreads: [...new Set(changes.mutedThreads)] } : {}),
    ...(changes.blockedUsers ? { blockedUsers: [...new Set(changes.blockedUsers)] } : {}),
  };
  await deps.store.notifications.setPreferences(actor.id, preferences);
  return { preferences };
}
