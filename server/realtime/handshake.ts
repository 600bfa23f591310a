import type { ExtendedError } from 'socket.io';
import type { Actor, Deps } from '../context.ts';
import type { ConnectionLimits } from '../limits/connections.ts';
import { clientIpResolver } from './client-ip.ts';
import { actorFromHandshake, connectionRefused } from './socket-auth.ts';
import type { IoSocket } from './types.ts';

/**
 * Admission of a new socket, cheapest refusal first: the IP's handshake rate,
 * then the token (`auth: {token}`; none = anonymous reader) and what the
 * namespace asks of its user (`vet`, e.g. /moderation: a moderator who is not
 * banned), then the open connection caps per user and per IP. Both namespaces
 * share the budgets: a socket counts the same wherever it connects.
 */
export function handshake(deps: Deps, connections: ConnectionLimits, vet: (actor: Actor) => Promise<Actor> = async (actor) => actor) {
  const clientIp = clientIpResolver(deps.config.limits.trustedProxies);
  return async (socket: IoSocket, next: (err?: ExtendedError) => void): Promise<void> => {
    try {
      socket.data.ip = clientIp(socket.request);
      await connections.handshake(socket.data.ip);
      socket.data.actor = await vet(await actorFromHandshake(deps, socket));
      await connections.admit(socket.id, socket.data.actor?.id, socket.data.ip);
      next();
      // A client that hung up while it was being admitted never connects, so
      // no 'disconnect' will give its slot back (socket.io drops such sockets
      // silently once the middleware finishes).
      setImmediate(() => {
        if (socket.conn.readyState !== 'open') void connections.disconnected(socket.id);
      });
    } catch (err) {
      next(connectionRefused(deps, err));
    }
  };
}
