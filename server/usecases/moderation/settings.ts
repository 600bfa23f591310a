import type { ModerationSettings, Wordlists } from '../../../contract/index.ts';
import type { Actor, Deps } from '../../context.ts';
import { followUp, type FollowUpDeps } from '../follow-up.ts';
import { actingAdmin, actingModerator, type ActingDeps } from './acting.ts';

/** The ports this use case uses. */
export type ModerationSettingsDeps = Pick<Deps, 'store'> & ActingDeps & FollowUpDeps;

export async function getWordlists(deps: ModerationSettingsDeps, actor: Actor): Promise<Wordlists> {
  await actingModerator(deps, actor);
  return (await deps.store.moderation.wordlists()).lists;
}

/** Admins change the word lists at runtime; every server recompiles on its next post. Fields left out keep their value. */
export async function putWordlists(deps: ModerationSettingsDeps, actor: Actor, changes: Partial<Wordlists>): Promise<Wordlists> {
  const admin = await actingAdmin(deps, actor);
  const current = (await deps.store.moderation.wordlists()).lists;
  const lists: Wordlists = {
    ...current,
    ...changes,
    banned: [...new Set(changes.banned ?? current.banned)],
    suspect: [...new Set(changes.suspect ?? current.suspect)],
  };
  await deps.store.moderation.setWordlists(lists);
  await followUp(deps, { kind: 'wordlists', lists, by: admin });
  return lists;
}

export async function getModerationSettings(deps: ModerationSettingsDeps, actor: Actor): Promise<ModerationSettings> {
  await actingModerator(deps, actor);
  return deps.store.moderation.settings();
}

export async function putModerationSettings(
  deps: ModerationSettingsDeps,
  actor: Actor,
  changes: Partial<ModerationSettings>,
): Promise<ModerationSettings> {
  const admin = await actingAdmin(deps, actor);
  const settings = { ...(await deps.store.moderation.settings()), ...changes };
  await deps.store.moderation.setSettings(settings);
  await followUp(deps, { kind: 'moderation-settings', settings, by: admin });
  return settings;
}
