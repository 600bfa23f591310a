import type { ExtendedError, Socket } from 'socket.io';
import type { Actor, Deps } from '../context.ts';
import { errors, toAppError } from '../errors.ts';
import { authenticate } from '../usecases/authenticate.ts';

/** The handshake's `auth: {token}`: no token is an anonymous reader, a bad one is refused. */
export async function actorFromHandshake(deps: Deps, socket: Socket): Promise<Actor> {
  const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
  if (token === undefined || token === null || token === '') return null;
  if (typeof token !== 'string') throw errors.unauthenticated('auth.token must be a string');
  return authenticate(deps, token);
}

/** A refused connection: the client's `connect_error` carries `data: {code, message, ...}`. */
export function connectionRefused(deps: Deps, err: unknown): ExtendedError {
  const error = toAppError(err);
  deps.metrics.errors.inc({ transport: 'socket', code: error.code });
  const failure: ExtendedError = new Error(error.message);
  failure.data = error.toBody();
  return failure;
}
