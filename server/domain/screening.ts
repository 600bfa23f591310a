import { createHash } from 'node:crypto';
import { matchingForm } from './invisible.ts';

/**
 * A text as screening compares it: case, whitespace, punctuation and hidden
 * characters do not make a copy different ("BUY now!!!" = "buy now"). Most
 * hidden characters are not letters anyway, but the Hangul fillers are (Lo):
 * "buy\u3164now" would otherwise fingerprint apart from "buy now".
 */
export function comparableText(text: string): string {
  return matchingForm(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

export function textFingerprint(comparable: string): string {
  return createHash('sha256').update(comparable).digest('hex').slice(0, 32);
}

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

export function countLinks(text: string): number {
  return text.match(LINK)?.length ?? 0;
}

export interface HoldReason {
  /** repeated_text | copy_paste_raid | links_from_new_account | mention_cap | repeated_mentions | … */
  rule: string;
  detail: string;
}
