import type { AuthUser, Deps } from '../context.ts';
import { errors } from '../errors.ts';

/** The ports this use case uses. */
export type AuthenticateDeps = Pick<Deps, 'tokens' | 'identities' | 'store' | 'emitter' | 'now'>;

/**
 * Turns a host-signed token into a user, recording the user on first sight
 * and keeping handle and name in step with the token. The role is the one
 * stored from the user's newest token (by iat): a moderator the host site
 * has since made a commenter is not a moderator with an older token still in
 * hand. A change of role is applied to the user's live sockets on every
 * server (realtime/access.ts).
 */
export async function authenticate(deps: AuthenticateDeps, token: string): Promise<AuthUser> {
  const { nameHidden, ...claims } = await deps.tokens.verify(token);
  const now = deps.now();
  // nameHidden is part of it: a look-alike must reach the name check even right after the plain name passed.
  // So is iat: a newer token with the same claims may change the stored role (an older one may not).
  const signature = `${claims.handle}\n${claims.name}\n${nameHidden}\n${claims.role}\n${claims.email ?? ''}\n${claims.issuedAt ?? ''}`;
  let stored = deps.identities.get(claims.id, signature, now.getTime());
  if (!stored) {
    const result = await deps.store.users.upsert({ ...claims, nameHidden }, now);
    if (!result.ok && result.reason === 'erased') {
      throw errors.unauthenticated('This account was erased; sign in again');
    }
    if (!result.ok && result.reason === 'name_lookalike') {
      throw errors.conflict(
        `The display name differs from another user's only by invisible characters (zero-width, bidi or control characters); the host site must send it without them`,
        { name: claims.name },
      );
    }
    if (!result.ok) {
      throw errors.conflict(`The handle @${claims.handle} belongs to another account`, { handle: claims.handle });
    }
    stored = { firstSeenAt: new Date(result.createdAt), role: result.role };
    deps.identities.set(claims.id, signature, stored, now.getTime());
    if (result.roleChanged) await deps.emitter.accessChanged(claims.id);
  }
  return { ...claims, role: stored.role, firstSeenAt: stored.firstSeenAt };
}
