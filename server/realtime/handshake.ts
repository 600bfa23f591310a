import type { ExtendedError } from 'socket.io';
import type { Deps } from '../context.ts';
import { errors, toAppError } from '../errors.ts';
import { authenticate } from '../usecases/authenticate.ts';
import type { IoSocket } from './types.ts';

/**
 * `auth: {token}` in the handshake signs the socket in; no token makes it an
 * anonymous reader. A bad token fails the connection: the client's
 * `connect_error` carries `data: {code, message}`.
 */
export function handshakeAuth(deps: Deps) {
  return async (socket: IoSocket, next: (err?: ExtendedError) => void): Promise<void> => {
    try {
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (token === undefined || token === null || token === '') {
        socket.data.actor = null;
        return next();
      }
      if (typeof token !== 'string') throw errors.unauthenticated('auth.token must be a string');
      socket.data.actor = await authenticate(deps, token);
      next();
    } catch (err) {
      const error = toAppError(err);
      deps.metrics.errors.inc({ transport: 'socket', code: error.code });
      const failure: ExtendedError = new Error(error.message);
      failure.data = error.toBody();
      next(failure);
    }
  };
}
