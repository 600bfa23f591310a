import type { AuthUser, Deps } from '../context.ts';
import { errors } from '../errors.ts';

/**
 * Turns a host-signed token into a user, recording the user on first sight
 * and keeping handle, name and role in step with the token.
 */
export async function authenticate(deps: Deps, token: string): Promise<AuthUser> {
  const { nameHidden, ...claims } = await deps.tokens.verify(token);
  const now = deps.now();
  // nameHidden is part of it: a look-alike must reach the name check even right after the plain name passed.
  const signature = `${claims.handle}\n${claims.name}\n${nameHidden}\n${claims.role}\n${claims.email ?? ''}`;
  let firstSeenAt = deps.identities.get(claims.id, signature, now.getTime());
  if (!firstSeenAt) {
    const result = await deps.store.users.upsert({ ...claims, nameHidden }, now);
    if (!result.ok && result.reason === 'erased') {
      throw errors.unauthenticated('This account was erased; sign in again');
    }
    if (!result.ok && result.reason === 'name_lookalike') {
      throw errors.conflict(`The display name differs from another user's only by invisible characters (zero-width, bidi or control characters); the host site must send it without them`, { name: claims.name });
    }
    if (!result.ok) {
      throw errors.conflict(`The handle @${claims.handle} belongs to another account`, { handle: claims.handle });
    }
    firstSeenAt = new Date(result.createdAt);
    deps.identities.set(claims.id, signature, firstSeenAt, now.getTime());
  }
  return { ...claims, firstSeenAt };
}
