/**
 * The wire contract: every event name, payload schema and type that crosses
 * the network. Server, workers and the client SDK all import this module, so
 * a change here is a change to the protocol.
 */
export * from './errors.ts';
export * from './schemas.ts';
export * from './events.ts';
export * from './rest.ts';
export * from './moderation.ts';
export * from './mentions.ts';
export * from './data-requests.ts';
