import { createHash } from 'node:crypto';

/**
 * A text as screening compares it: case, whitespace and punctuation do not
 * make a copy different ("BUY now!!!" = "buy now").
 */
export function comparableText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
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
