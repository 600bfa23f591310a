import type { RedisClient } from './redis.ts';
import type { Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';

export interface TextCopy {
  commentId: string;
  authorId: string;
}

/** What screening remembers across comments: recent copies of a text, recent mentions of a user by an author. */
export class ScreeningStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
  ) {}

  /** Forgets which users an author mentioned (erasure: screening's memory of them goes with the author). */
  async forgetMentions(authorId: string, mentionedIds: string[]): Promise<void> {
    await Promise.all(mentionedIds.map((mentioned) => this.redis.unlink(this.keys.screening.mentions(authorId, mentioned))));
  }

  /** Records this copy of a text and returns every copy within the window (this one included). */
  async recordText(fingerprint: string, copy: TextCopy, now: number, windowMs: number): Promise<TextCopy[]> {
    const members = (await this.scripts.run(
      this.redis,
      'record-occurrence',
      [this.keys.screening.text(fingerprint)],
      [`${copy.commentId} ${copy.authorId}`, now, windowMs],
    )) as string[];
    return members.map((m) => {
      const at = m.lastIndexOf(' ');
      return { commentId: m.slice(0, at), authorId: m.slice(at + 1) };
    });
  }

  /** Records that `authorId` mentioned `mentionedId` in a comment; returns the comments that did within the window. */
  async recordMention(authorId: string, mentionedId: string, commentId: string, now: number, windowMs: number): Promise<string[]> {
    return (await this.scripts.run(
      this.redis,
      'record-occurrence',
      [this.keys.screening.mentions(authorId, mentionedId)],
      [commentId, now, windowMs],
    )) as string[];
  }
}
