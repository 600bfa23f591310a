import { io, type Socket } from 'socket.io-client';
import type { MODERATION_NAMESPACE, ModClientToServerEvents, ModServerToClientEvents } from '../../contract/index.ts';

/** A typed socket on the `/moderation` namespace (events and acks from the contract). */
export type ModerationSocket = Socket<ModServerToClientEvents, ModClientToServerEvents>;

// A type-only import keeps zod's runtime out of browser bundles; the literal type keeps the two in step.
const NAMESPACE: typeof MODERATION_NAMESPACE = '/moderation';

/**
 * Opens the moderators' socket. WebSocket only: the console is a browser page
 * on the server's own origin, where every supported browser has it.
 */
export function connectModeration(opts: { url: string; token: string }): ModerationSocket {
  return io(`${opts.url.replace(/\/$/, '')}${NAMESPACE}`, { transports: ['websocket'], auth: { token: opts.token } });
}
