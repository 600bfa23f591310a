import { BODY_MAX_CHARS } from '../../contract/index.ts';
import { errors } from '../errors.ts';

// C0/C1 control characters except newline (tab and CR included: CRs are folded into newlines first).
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
// Bidi embedding/override/isolate controls let a comment display text in another order than it reads.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * The stored form of a comment body: plain text, NFC, newlines only as `\n`,
 * no control characters, no trailing spaces on lines, at most one blank line
 * in a row, trimmed. It is never interpreted as HTML.
 */
export function normalizeBody(raw: string): string {
  return raw
    .toWellFormed()
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(BIDI_CONTROL, '')
    .normalize('NFC')
    .replace(/[^\S\n]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Length in characters as a reader counts them (code points, not UTF-16 units). */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Normalises and enforces 1-5,000 characters, or throws `invalid_payload`. */
export function acceptBody(raw: string): string {
  const body = normalizeBody(raw);
  if (body.length === 0) {
    throw errors.invalid('Invalid payload: body: a comment cannot be empty', {
      issues: [{ path: 'body', message: 'empty after trimming' }],
    });
  }
  const length = charLength(body);
  if (length > BODY_MAX_CHARS) {
    throw errors.invalid(`Invalid payload: body: at most ${BODY_MAX_CHARS} characters (got ${length})`, {
      issues: [{ path: 'body', message: `at most ${BODY_MAX_CHARS} characters` }],
    });
  }
  return body;
}
