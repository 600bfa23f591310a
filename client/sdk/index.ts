/**
 * Threadline client SDK for web and mobile apps. See docs/sdk.md.
 */
export { connect, ThreadlineClient, type ConnectOptions } from './client.ts';
export { isRetryable, ThreadlineError } from './errors.ts';
export { ThreadView, type ThreadHandlers, type ThreadTransport, type ResetReason } from './thread-view.ts';
export type { OutgoingPost, OutboxOptions } from './outbox.ts';
export { localStorageAdapter, memoryStorage, type OutboxStorage, type WebStorageLike } from './storage.ts';
export type { ServerEventData } from './types.ts';
export type * from '../../contract/index.ts';
