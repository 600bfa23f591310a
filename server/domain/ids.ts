import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: dropping larger bytes keeps every character equally likely.
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** `<threadId>~<12 random alphanumerics>`: the thread is recoverable from the id. */
export function newCommentId(threadId: string): string {
  return `${threadId}~${randomAlphanumeric(12)}`;
}

export function threadIdOfComment(commentId: string): string {
  return commentId.slice(0, commentId.lastIndexOf('~'));
}

export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}
