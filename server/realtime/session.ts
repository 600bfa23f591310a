import type { Socket } from 'socket.io';

// setTimeout cannot wait longer than ~24.8 days; longer tokens re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;
const timers = new WeakMap<Socket, NodeJS.Timeout>();

/** Disconnects the socket (of any namespace) when its token expires, telling it why first. */
export function armExpiry(socket: Socket, expiresAt: Date): void {
  clearExpiry(socket);
  const wait = expiresAt.getTime() - Date.now();
  const timer = setTimeout(
    () => {
      if (wait > MAX_TIMER_MS) return armExpiry(socket, expiresAt);
      socket.emit('auth:expired', { reason: 'Token expired; reconnect with a new one' });
      socket.disconnect(true);
    },
    Math.max(0, Math.min(wait, MAX_TIMER_MS)),
  );
  timer.unref();
  timers.set(socket, timer);
}

export function clearExpiry(socket: Socket): void {
  const timer = timers.get(socket);
  if (timer) clearTimeout(timer);
  timers.delete(socket);
}
