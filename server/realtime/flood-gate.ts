import type { Socket } from 'socket.io';
import type { Deps } from '../context.ts';
import { errors } from '../errors.ts';
import type { SocketFloodGuard } from '../limits/socket-flood.ts';
import { isAck } from './handle.ts';

/**
 * Passes an incoming event (its arguments, the ack last) through the
 * socket's rate, in either namespace. Resolves true to handle it; otherwise
 * it has been answered `rate_limited` without reaching a handler, and a
 * socket that keeps flooding has been told and closed.
 */
export async function admitEvent(deps: Deps, flood: SocketFloodGuard, socket: Socket, args: unknown[]): Promise<boolean> {
  const verdict = await flood.check(socket.id);
  if (verdict.allowed) return true;
  const ack = args.at(-1);
  deps.metrics.errors.inc({ transport: 'socket', code: 'rate_limited' });
  if (isAck(ack)) {
    const error = errors.rateLimited('Too many events; slow down', { scope: 'socket_events' }, verdict.retryAfterMs);
    ack({ ok: false, error: error.toBody() });
  }
  if (verdict.disconnect) {
    socket.emit('connection:closing', { code: 'rate_limited', reason: 'This connection kept sending events faster than allowed' });
    socket.disconnect(true);
  }
  return false;
}
