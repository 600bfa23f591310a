/**
 * `@handle` where the `@` starts a word (so `foo@bar.com` is not a mention)
 * and the handle is followed by a non-handle character (so `@matt,` is matt,
 * and a 40-character run is nobody). The server resolves these against known
 * users; clients use the same pattern only to show the server's mentions.
 * Kept free of zod so the browser bundle can import it.
 */
export const MENTION_PATTERN = /(?<![\p{L}\p{N}_@])@([A-Za-z0-9_]{2,32})(?![A-Za-z0-9_])/gu;
