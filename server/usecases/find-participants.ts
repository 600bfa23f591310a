import type { UserRef } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { PARTICIPANTS_KEPT } from '../store/comments.ts';

/** The ports this use case uses. */
export type FindParticipantsDeps = Pick<Deps, 'store'>;

const MAX_RESULTS = 10;

function matches(user: UserRef, prefix: string): boolean {
  if (prefix === '') return true;
  if (user.handle.toLowerCase().startsWith(prefix)) return true;
  const name = user.name.toLowerCase();
  return name.startsWith(prefix) || name.split(/\s+/).some((word) => word.startsWith(prefix));
}

/**
 * Mention autocomplete: people who commented in this thread (most recent
 * first), then anyone else whose handle starts with the prefix.
 */
export async function findParticipants(
  deps: FindParticipantsDeps,
  actor: Actor,
  input: { threadId: string; prefix: string },
): Promise<{ users: UserRef[] }> {
  if (!actor) throw errors.unauthenticated('Sign in to mention people');
  const prefix = input.prefix.replace(/^@/, '').trim().toLowerCase();
  const { users, comments } = deps.store;

  const recentIds = await comments.recentParticipants(input.threadId, PARTICIPANTS_KEPT);
  const found: UserRef[] = [];
  const seen = new Set([actor.id]);
  for (const user of await users.refs(recentIds.filter((id) => id !== actor.id))) {
    if (found.length === MAX_RESULTS) break;
    if (matches(user, prefix)) {
      found.push(user);
      seen.add(user.id);
    }
  }
  if (found.length < MAX_RESULTS && prefix !== '' && /^[a-z0-9_]+$/.test(prefix)) {
    const handles = await users.handlesWithPrefix(prefix, MAX_RESULTS + seen.size);
    const ids = (await users.userIdsForHandles(handles)).filter((id) => !seen.has(id));
    for (const user of await users.refs(ids)) {
      if (found.length === MAX_RESULTS) break;
      found.push(user);
    }
  }
  return { users: found };
}
