/**
 * Text helpers shared by the server's emails and the browser bundles (no
 * dependencies, so the bundles stay small).
 */

/** At most `max` characters (code points: an emoji is never cut in half), with "…" when cut. */
export function excerpt(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('').trimEnd()}…` : text;
}
