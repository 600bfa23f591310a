import type { NextFunction, Request, Response } from 'express';
import type { Deps } from '../context.ts';
import { AppError, errors, toAppError } from '../errors.ts';

/** Body-parser and other http-errors carry a `type`/`status`; map them to our codes. */
function fromHttpError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (typeof err !== 'object' || err === null || !('status' in err)) return undefined;
  const e = err as { status?: number; type?: string; message?: string };
  if (e.type === 'entity.too.large') return new AppError('payload_too_large', 'Request body is larger than 64 KB');
  if (e.type === 'entity.parse.failed') return errors.invalid('Request body is not valid JSON');
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
    return errors.invalid('Request body must be UTF-8 JSON');
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return errors.invalid(e.message ?? 'Bad request');
  }
  return undefined;
}

export function errorHandler(deps: Deps) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const error = fromHttpError(err) ?? toAppError(err);
    deps.metrics.errors.inc({ transport: 'http', code: error.code });
    const logged = { code: error.code, method: req.method, path: req.path, ...error.context, err: error.cause ?? undefined };
    if (error.status >= 500) deps.log.error(logged, error.message);
    else deps.log.debug(logged, error.message);
    if (error.retryAfterMs !== undefined) res.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
    if (res.headersSent) return;
    res.status(error.status).json({ error: error.toBody() });
  };
}

export function notFoundHandler(req: Request): never {
  throw new AppError('not_found', `No route for ${req.method} ${req.path}`);
}
