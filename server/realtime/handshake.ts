import type { ExtendedError } from 'socket.io';
import type { Deps } from '../context.ts';
import { errors, toAppError } from '../errors.ts';
import type { ConnectionLimits } from '../limits/connections.ts';
import { authenticate } from '../usecases/authenticate.ts';
import { clientIpResolver } from './client-ip.ts';
import type { IoSocket } from './types.ts';

/**
 * Admission of a new socket, cheapest refusal first: the IP's handshake rate,
 * then the token (`auth: {token}`; none = anonymous reader), then the open
 * connection caps per user and per IP. A refusal fails the connection; the
 * client's `connect_error` carries `data: {code, message, ...}`.
 */
export function handshake(deps: Deps, connections: ConnectionLimits) {
  const clientIp = clientIpResolver(deps.config.limits.trustedProxies);
  return async (socket: IoSocket, next: (err?: ExtendedError) => void): Promise<void> => {
    try {
      socket.data.ip = clientIp(socket.request);
      await connections.handshake(socket.data.ip);
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (token === undefined || token === null || token === '') {
        socket.data.actor = null;
      } else {
        if (typeof token !== 'string') throw errors.unauthenticated('auth.token must be a string');
        socket.data.actor = await authenticate(deps, token);
      }
      await connections.admit(socket.id, socket.data.actor?.id, socket.data.ip);
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
