// Reader-facing text of the connection state (one place, for the message table to take over).
const TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export type ConnectionState = keyof typeof TEXT;

export interface ConnectionIndicator {
  /** The socket went up or down (the client's onConnectionChange). */
  socket(connected: boolean): void;
  /** The thread view is following live events (onLive), or lost them (onError). */
  view(live: boolean): void;
}

/**
 * Shows live / reconnecting / offline in `node` (a role="status" region, so
 * a change is announced politely): offline while the browser says so
 * (navigator.onLine), live while the socket is up and the thread view has
 * caught up, reconnecting in between. Only a change is written, so a screen
 * reader hears each state once.
 */
export function connectionIndicator(node: HTMLElement): ConnectionIndicator {
  let connected = false;
  let live = false;
  let everLive = false;
  const show = () => {
    if (!node.isConnected && everLive) {
      removeEventListener('online', show);
      removeEventListener('offline', show);
      return;
    }
    const state: ConnectionState = !navigator.onLine ? 'offline' : connected && live ? 'live' : everLive ? 'reconnecting' : 'connecting';
    if (node.dataset.state === state) return;
    node.dataset.state = state;
    node.textContent = TEXT[state];
  };
  addEventListener('online', show);
  addEventListener('offline', show);
  show();
  return {
    socket(up) {
      connected = up;
      // Events sent while the socket was down are missed until the view re-joins (onLive).
      if (!up) live = false;
      show();
    },
    view(isLive) {
      live = isLive;
      if (isLive) everLive = true;
      show();
    },
  };
}
