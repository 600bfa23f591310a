import { ThreadlineError } from '../sdk/index.ts';

/** New strings here go into the widget's message table. */
const TEXT = {
  /** A posting limit, with the time the reader may post again (from the error's retryAfterMs). */
  postAgainAt: (why: string, time: string) => `${why}. You can post again at ${time}.`,
  why: {
    slow_mode: 'Slow mode is on in this thread',
    ip: 'Too many comments from your network',
    user: 'You are commenting too fast',
  } as Record<string, string>,
  fallbackWhy: 'Too many attempts',
} as const;

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/**
 * What to tell a reader about a failed call: the server's own message, or `fallback` for anything else
 * (a network error). A posting limit says why and the clock time it ends, which stays right however
 * long the message is on screen (the server's "in 25 s" would not).
 */
export function failure(err: unknown, fallback: string, now = Date.now()): string {
  if (!(err instanceof ThreadlineError)) return fallback;
  if (err.code === 'rate_limited' && err.retryAfterMs !== undefined) {
    const scope = (err.details as { scope?: string } | undefined)?.scope ?? '';
    // Rounded up to the second shown: posting at the time on screen must not be refused again.
    const at = Math.ceil((now + err.retryAfterMs) / 1000) * 1000;
    return TEXT.postAgainAt(TEXT.why[scope] ?? TEXT.fallbackWhy, clock.format(at));
  }
  return err.message;
}
