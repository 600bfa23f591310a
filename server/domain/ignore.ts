/**
 * The rejection handler for a promise whose failure is deliberately dropped:
 * handled elsewhere, or harmless. Every caller says why beside the call, so a
 * swallowed error is never silent by accident (lint refuses empty handlers).
 */
export const ignore = (): void => undefined;
