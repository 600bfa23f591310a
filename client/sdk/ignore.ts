/**
 * The rejection handler for a promise whose failure is deliberately dropped;
 * every caller says why beside the call (lint refuses empty handlers).
 */
export const ignore = (): void => undefined;
