import { ThreadlineError } from '../sdk/index.ts';

/** What to tell a reader about a failed call: the server's own message, or `fallback` for anything else (a network error). */
export function failure(err: unknown, fallback: string): string {
  return err instanceof ThreadlineError ? err.message : fallback;
}
