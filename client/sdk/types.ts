import type { ServerEventName, ServerToClientEvents } from '../../contract/index.ts';

/**
 * What the server sends with event `E` (the output type of the contract's
 * `serverEvents[E]` schema). Derived from the contract's types only, so no
 * zod code reaches the browser bundle.
 */
export type ServerEventData<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
