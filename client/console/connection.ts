import type { ErrorBody } from '../../contract/index.ts';
import type { Layout, Say } from './layout.ts';
import type { ModerationSocket } from '../sdk/moderation.ts';

/** Shows the socket's state and what the server says as it refuses or closes the console; `connected` runs on every (re)connect. */
export function watchConnection(socket: ModerationSocket, ui: Layout, say: Say, connected: () => void): void {
  socket.on('connect', () => {
    ui.connection.textContent = 'live';
    connected();
  });
  // The server closing the socket (a ban, a flood) is final; anything else reconnects by itself.
  socket.on('disconnect', (reason) => (ui.connection.textContent = reason === 'io server disconnect' ? 'not connected' : 'reconnecting…'));
  socket.on('connect_error', (err: Error & { data?: ErrorBody }) => {
    ui.connection.textContent = 'not connected';
    // Refusals (not a moderator, expired token) will not fix themselves.
    if (err.data?.code === 'forbidden' || err.data?.code === 'unauthenticated') {
      ui.who.textContent = err.data.message;
      say(err.data.message, true);
      socket.disconnect();
    }
  });
  socket.on('auth:expired', ({ reason }) => say(`${reason}; open the console with a new token`, true));
  socket.on('account:banned', ({ until, reason }) => {
    say(`You were banned ${until ? `until ${until}` : 'for good'}${reason ? `: ${reason}` : ''}; the server closed the console`, true);
  });
  socket.on('connection:closing', ({ reason }) => say(reason, true));
}
