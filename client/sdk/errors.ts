import type { ErrorBody, ErrorCode } from '../../contract/index.ts';

/** A typed failure from the server (or `unavailable` when it could not be reached). */
export class ThreadlineError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly retryAfterMs: number | undefined;

  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'ThreadlineError';
    this.code = body.code;
    this.details = body.details;
    this.retryAfterMs = body.retryAfterMs;
  }
}

/** Worth sending again later: the server (or Redis behind it) was away or busy. */
export const isRetryable = (code: ErrorCode) => code === 'unavailable' || code === 'rate_limited' || code === 'internal';
