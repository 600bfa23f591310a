import { RoleSchema, type Ban, type Role } from '../../../contract/index.ts';
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
export function actingModerator(deps: ActingDeps, actor: Actor): Promise<AuthUser> {
  return acting(deps, actor, requireModerator);
}

export function actingAdmin(deps: ActingDeps, actor: Actor): Promise<AuthUser> {
  return acting(deps, actor, requireAdmin);
}

/**
 * What Redis says about a user's access: the role stored from their newest
 * token (undefined if none or unknown) and their active ban, read together.
 */
export async function storedAccess(deps: ActingDeps, userId: string): Promise<{ role: Role | undefined; ban: Ban | null }> {
  const [role, ban] = await Promise.all([deps.store.users.role(userId), deps.store.moderation.activeBan(userId)]);
  return { role: RoleSchema.safeParse(role).data, ban };
}

/** A socket keeps the actor it signed in as; the stored role may have changed since. */
async function acting(deps: ActingDeps, actor: Actor, require: (actor: Actor) => AuthUser): Promise<AuthUser> {
  if (!actor) return require(actor);
  const { role, ban } = await storedAccess(deps, actor.id);
  const user = require(role && role !== actor.role ? { ...actor, role } : actor);
  const binding = bindingBan(ban, user.role);
  if (binding) throw errors.forbidden('You are banned', { bannedUntil: binding.until });
  return user;
}
