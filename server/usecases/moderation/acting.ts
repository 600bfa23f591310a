import { requireAdmin, requireModerator, type Actor, type AuthUser, type Deps } from '../../context.ts';
import { bindingBan } from '../../domain/ranks.ts';
import { errors } from '../../errors.ts';

/** The ports this use case uses. */
export type ActingDeps = Pick<Deps, 'store'>;

/**
 * A moderator who may act now. The role comes from the token; a ban comes
 * from Redis, so banning a moderator takes effect at once on every
 * transport, not only when their token runs out. A ban made by a lower role
 * than the token's does not bind (domain/ranks.ts).
 */
export async function actingModerator(deps: ActingDeps, actor: Actor): Promise<AuthUser> {
  return notBanned(deps, requireModerator(actor));
}

export async function actingAdmin(deps: ActingDeps, actor: Actor): Promise<AuthUser> {
  return notBanned(deps, requireAdmin(actor));
}

async function notBanned(deps: ActingDeps, user: AuthUser): Promise<AuthUser> {
  const ban = bindingBan(await deps.store.moderation.activeBan(user.id), user.role);
  if (ban) throw errors.forbidden('You are banned', { bannedUntil: ban.until });
  return user;
}
