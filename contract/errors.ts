import { z } from 'zod';

/**
 * Stable error codes shared by server, workers and clients. Clients branch on
 * `code`, never on `message` (which is for humans and may change).
 */
export const ERROR_CODES = [
  'invalid_payload',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'thread_locked',
  'unavailable',
  'internal',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_payload: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  thread_locked: 423,
  unavailable: 503,
  internal: 500,
};

export const ErrorBodySchema = z
  .object({
    code: ErrorCodeSchema,
    message: z.string(),
    /** Machine-readable specifics, e.g. the failing fields of an invalid payload. */
    details: z.unknown().optional(),
    /** Present with `rate_limited`: how long to wait before trying again. */
    retryAfterMs: z.number().int().nonnegative().optional(),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Every non-2xx HTTP response has this body. */
export const HttpErrorSchema = z.object({ error: ErrorBodySchema }).meta({ id: 'HttpError' });

/** One field problem inside `details` of an `invalid_payload` error. */
export const FieldIssueSchema = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

/** Which limit refused a `rate_limited` request: `details.scope`. */
export const RATE_LIMIT_SCOPES = [
  /** per-user posting windows (short and long) */
  'user',
  /** posting per client IP */
  'ip',
  /** the thread's slow mode */
  'slow_mode',
  /** events per socket */
  'socket_events',
  /** new connections per IP per minute */
  'handshake',
  'connections_per_user',
  'connections_per_ip',
  /** reports filed per reader */
  'reports',
] as const;
export const RateLimitScopeSchema = z.enum(RATE_LIMIT_SCOPES);
export type RateLimitScope = z.infer<typeof RateLimitScopeSchema>;

/** `details` of a `rate_limited` error. */
export const RateLimitDetailsSchema = z.object({
  scope: RateLimitScopeSchema,
  /** The limit that refused: points per window, or most open connections. */
  limit: z.union([z.object({ points: z.number().int(), seconds: z.number() }), z.number().int()]).optional(),
});
export type RateLimitDetails = z.infer<typeof RateLimitDetailsSchema>;
