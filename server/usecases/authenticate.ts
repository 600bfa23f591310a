import type { AuthUser, Deps } from '../context.ts';
import { errors } from '../errors.ts';

/**
 * Turns a host-signed token into a user, recording the user on first sight
 * and keeping handle, name and role in step with the token.
 */
export async function authenticate(deps: Deps, token: string): Promise<AuthUser> {
  const claims = await deps.tokens.verify(token);
  const now = deps.now();
  const signature = `${claims.handle}\n${claims.name}\n${claims.role}\n${claims.email ?? ''}`;
  let firstSeenAt = deps.identities.get(claims.id, signature, now.getTime());
  if (!firstSeenAt) {
    const result = await deps.store.users.upsert(claims, now);
    if (!result.ok) {
      throw errors.conflict(`The handle @${claims.handle} belongs to another account`, { handle: claims.handle });
    }
    firstSeenAt = new Date(result.createdAt);
    deps.identities.set(claims.id, signature, firstSeenAt, now.getTime());
  }
  return { ...claims, firstSeenAt };
}
