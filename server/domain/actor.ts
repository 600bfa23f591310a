import type { Role } from '../../contract/index.ts';
import { errors } from '../errors.ts';

/**
 * Who a user is, as the host site's token says: declared once here. The
 * verified token (auth/tokens.ts), the stored user (store/users.ts) and the
 * signed-in user below extend it.
 */
export interface UserIdentity {
  id: string;
  handle: string;
  name: string;
  role: Role;
  email: string | undefined;
}

/** A signed-in user as the server knows them (token claims + first-seen time). */
export interface AuthUser extends UserIdentity {
  /** When Threadline first saw this user (new accounts get stricter limits). */
  firstSeenAt: Date;
  expiresAt: Date;
}

/** null: an anonymous reader. */
export type Actor = AuthUser | null;

/** Where a request came from (for per-IP limits): the client address after trusted proxies. */
export interface Origin {
  ip: string | undefined;
}

export const isModerator = (actor: Actor): boolean => actor?.role === 'moderator' || actor?.role === 'admin';

/** Moderation is for moderators and admins: anyone else gets unauthenticated (no token) or forbidden. */
export function requireModerator(actor: Actor): AuthUser {
  if (!actor) throw errors.unauthenticated('Sign in as a moderator');
  if (!isModerator(actor)) throw errors.forbidden('This is for moderators and admins');
  return actor;
}

export function requireAdmin(actor: Actor): AuthUser {
  if (!actor) throw errors.unauthenticated('Sign in as an admin');
  if (actor.role !== 'admin') throw errors.forbidden('This is for admins');
  return actor;
}
