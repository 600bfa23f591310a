import type { ModerationSettings, Wordlists } from '../../../contract/index.ts';
import type { Actor, Deps } from '../../context.ts';
import { followUp } from '../follow-up.ts';
import { actingAdmin, actingModerator } from './acting.ts';

export async function getWordlists(deps: Deps, actor: Actor): Promise<Wordlists> {
  await actingModerator(deps, actor);
  return (await deps.store.moderation.wordlists()).lists;
}

/** Admins change the word lists at runtime; every server recompiles on its next post. Fields left out keep their value. */
export async function putWordlists(deps: Deps, actor: Actor, changes: Partial<Wordlists>): Promise<Wordlists> {
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

export async function getModerationSettings(deps: Deps, actor: Actor): Promise<ModerationSettings> {
  await actingModerator(deps, actor);
  return deps.store.moderation.settings();
}

export async function putModerationSettings(deps: Deps, actor: Actor, changes: Partial<ModerationSettings>): Promise<ModerationSettings> {
  const admin = await actingAdmin(deps, actor);
  const settings = { ...(await deps.store.moderation.settings()), ...changes };
  await deps.store.moderation.setSettings(settings);
  await followUp(deps, { kind: 'moderation-settings', settings, by: admin });
  return settings;
}
