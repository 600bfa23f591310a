import { RoleSchema } from '../../../contract/index.ts';
import { requireAdmin, requireModerator, type Actor, type AuthUser, type Deps } from '../../context.ts';
import { bindingBan } from '../../domain/ranks.ts';
import { errors } from '../../errors.ts';

/** The ports this use case uses. */
export type ActingDeps = Pick<Deps, 'store'>;

/**
 * A moderator who may act now. The role and a ban come from Redis (the role
 * as stored from the user's newest token), so banning a moderator, or the
 * host site making them a commenter, takes effect at once on every
 * transport, not only when their older token runs out. A ban made by a lower
 * role than theirs does not bind (domain/ranks.ts).
 */
export async function actingModerator(deps: ActingDeps, actor: Actor): Promise<AuthUser> {
  return notBanned(deps, requireModerator(await withStoredRole(deps, actor)));
}

export async function actingAdmin(deps: ActingDeps, actor: Actor): Promise<AuthUser> {
  return notBanned(deps, requireAdmin(await withStoredRole(deps, actor)));
}

/** A socket keeps the actor it signed in as; the stored role may have changed since. */
async function withStoredRole(deps: ActingDeps, actor: Actor): Promise<Actor> {
  if (!actor) return actor;
  const role = RoleSchema.safeParse(await deps.store.users.role(actor.id)).data;
  return role && role !== actor.role ? { ...actor, role } : actor;
}

async function notBanned(deps: ActingDeps, user: AuthUser): Promise<AuthUser> {
  const ban = bindingBan(await deps.store.moderation.activeBan(user.id), user.role);
  if (ban) throw errors.forbidden('You are banned', { bannedUntil: ban.until });
  return user;
}
