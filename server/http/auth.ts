import type { NextFunction, Request, Response } from 'express';
import type { Actor, AuthUser, Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { authenticate } from '../usecases/authenticate.ts';

/**
 * Reads `Authorization: Bearer <jwt>`. No header: an anonymous reader. A header
 * with a bad token is refused (401) rather than silently treated as anonymous.
 */
export function identify(deps: Deps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = bearerToken(req);
    res.locals.actor = token === undefined ? null : await authenticate(deps, token);
    next();
  };
}

/** The token of `Authorization: Bearer <jwt>`, undefined without the header; any other form is refused. */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw errors.unauthenticated('Authorization header must be "Bearer <token>"');
  return match[1]!;
}

export function actorOf(res: Response): Actor {
  return (res.locals.actor as Actor | undefined) ?? null;
}

export function requireUser(res: Response): AuthUser {
  const actor = actorOf(res);
  if (!actor) throw errors.unauthenticated();
  return actor;
}
