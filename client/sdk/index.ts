/**
 * Threadline client SDK for web and mobile apps. See docs/sdk.md.
 */
export { connect, ThreadlineClient, type ConnectOptions } from './client.ts';
export { isRetryable, ThreadlineError } from './errors.ts';
export { ThreadView, type ThreadHandlers, type ThreadTransport, type ResetReason } from './thread-view.ts';
export type { OutgoingPost } from './outbox.ts';
export type { ServerEventData } from './types.ts';
export type * from '../../contract/index.ts';
