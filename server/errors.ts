import type { z } from 'zod';
import { HTTP_STATUS_BY_CODE, type ErrorBody, type ErrorCode, type FieldIssue, type RateLimitDetails } from '../contract/index.ts';

/**
 * The one error type. `code` and `message` are public (sent to clients);
 * `context` is private and only ever logged.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly retryAfterMs: number | undefined;
  readonly context: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: unknown; retryAfterMs?: number; context?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = HTTP_STATUS_BY_CODE[code];
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
    this.context = opts.context ?? {};
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

export const errors = {
  invalid: (message: string, details?: unknown) => new AppError('invalid_payload', message, { details }),
  unauthenticated: (message = 'Sign in to do this') => new AppError('unauthenticated', message),
  forbidden: (message = 'You are not allowed to do this', details?: unknown) => new AppError('forbidden', message, { details }),
  notFound: (what: string) => new AppError('not_found', `${what} not found`),
  conflict: (message: string, details?: unknown) => new AppError('conflict', message, { details }),
  rateLimited: (message: string, details: RateLimitDetails, retryAfterMs?: number) =>
    new AppError('rate_limited', message, { details, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }),
  locked: () => new AppError('thread_locked', 'This thread is locked; new comments are closed'),
  unavailable: (cause?: unknown) => new AppError('unavailable', 'Service temporarily unavailable, try again shortly', { cause }),
};

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
}

/** Parse untrusted input or throw `invalid_payload` naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'payload'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  return throwInvalid(`Invalid ${what}: ${summary}`, issues);
}

function throwInvalid(message: string, issues: FieldIssue[]): never {
  throw errors.invalid(message, { issues });
}

/** Redis connection problems surface as `unavailable`; everything unexpected as `internal`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isRedisUnavailable(err)) return errors.unavailable(err);
  return new AppError('internal', 'Something went wrong on our side', { cause: err });
}

function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const m = err.message;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|Command timed out|LOADING|BUSY|connect ETIMEDOUT|EPIPE|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|Cluster isn't ready|Failed to refresh slots cache|Too many Cluster redirections/.test(
      m,
    )
  );
}
