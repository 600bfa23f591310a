import type { Actor, AuthUser } from '../context.ts';
import { errors } from '../errors.ts';
import { actingAdmin, type ActingDeps } from './moderation/acting.ts';

/** The ports this use case uses. */
export type DataSubjectDeps = ActingDeps;

/**
 * Whose data a data request is about: the signed-in user's own, or, for an
 * admin (not banned), any user id.
 */
export async function dataSubject(
  deps: DataSubjectDeps,
  actor: Actor,
  userId: string | undefined,
): Promise<{ userId: string; admin: AuthUser | null }> {
  if (!actor) throw errors.unauthenticated('Sign in to manage your data');
  if (userId === undefined) return { userId: actor.id, admin: null };
  return { userId, admin: await actingAdmin(deps, actor) };
}
