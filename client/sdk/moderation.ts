import { io, type Socket } from 'socket.io-client';
import type { MODERATION_NAMESPACE, ModClientToServerEvents, ModServerToClientEvents } from '../../contract/index.ts';

/** A typed socket on the `/moderation` namespace (events and acks from the contract). */
export type ModerationSocket = Socket<ModServerToClientEvents, ModClientToServerEvents>;

// A type-only import keeps zod's runtime out of browser bundles; the literal type keeps the two in step.
const NAMESPACE: typeof MODERATION_NAMESPACE = '/moderation';

/**
 * Opens the moderators' socket with socket.io-client's default transports
 * (long-polling, then websocket): a moderator behind a proxy that strips
 * Upgrade headers still gets the queue.
 */
export function connectModeration(opts: { url: string; token: string }): ModerationSocket {
  return io(`${opts.url.replace(/\/$/, '')}${NAMESPACE}`, { auth: { token: opts.token } });
}
