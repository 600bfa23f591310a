import { MODERATION_NAMESPACE } from '../../contract/index.ts';
import type { IoServer } from './types.ts';

/**
 * On shutdown, sends every connected client to another instance. `io.close()` alone disconnects
 * sockets with "io server disconnect", which socket.io-client treats as final (it does not
 * reconnect), so readers of a stopped instance would stay offline. Closing each Engine.IO
 * connection instead reads as a lost transport, which clients reconnect after, through the load
 * balancer to a live instance, and then re-join with `since`. `connection:closing` says why first
 * (Engine.IO flushes it before closing). A post in flight loses its ack and is resent by the
 * client with its clientId, so it is stored once.
 */
export function sendClientsElsewhere(io: IoServer): void {
  for (const socket of io.of('/').sockets.values()) {
    socket.emit('connection:closing', { code: 'unavailable', reason: 'This server is shutting down; reconnect to another' });
  }
  // One Engine.IO connection carries a client's sockets on both namespaces.
  const connections = new Set([...io.of('/').sockets.values(), ...io.of(MODERATION_NAMESPACE).sockets.values()].map((s) => s.conn));
  for (const connection of connections) connection.close();
}
