import type { ModerationItem } from '../../contract/index.ts';
import { excerpt } from '../../contract/text.ts';
import { el } from '../dom.ts';
import { timeElement } from './time.ts';

const TEXT = {
  in: 'in ',
  openInThread: 'View in thread',
  replyingTo: (name: string) => `Replying to ${name}: `,
  firstSeen: 'account first seen ',
  unknownAccount: 'account not on record',
  comments: (n: number) => `${n} comment${n === 1 ? '' : 's'}`,
  holds: (n: number) => `held ${n}×`,
  rejections: (n: number) => `rejected ${n}×`,
  historyTitle: 'Holds and rejections of the last MODERATION_RETENTION_DAYS (90 by default)',
} as const;

const PARENT_CHARS = 300;

/** The article a comment is in, with a link to the comment there when the article has a url. */
export function threadLine(item: ModerationItem): HTMLDivElement {
  const line = el('div', 'tc-thread-line');
  line.append(TEXT.in, el('span', 'tc-thread-title', item.thread.title ?? item.thread.id));
  // The link is the server's; still, only http(s) becomes a link.
  if (item.link && /^https?:\/\//i.test(item.link)) {
    const a = el('a', 'tc-link', TEXT.openInThread);
    a.href = item.link;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    line.append(' · ', a);
  }
  return line;
}

/** The comment a reply answers, shortened; nothing for a top-level comment. */
export function parentQuote(item: ModerationItem): HTMLElement | undefined {
  if (!item.parent) return undefined;
  const quote = el('blockquote', 'tc-parent');
  quote.append(el('span', 'tc-parent-author', TEXT.replyingTo(item.parent.author.name)), excerpt(item.parent.body, PARENT_CHARS));
  return quote;
}

/** Account age, comments written, earlier holds and rejections. */
export function authorHistory(item: ModerationItem): HTMLDivElement {
  const { firstSeenAt, comments, holds, rejections } = item.author;
  const line = el('div', 'tc-history');
  line.title = TEXT.historyTitle;
  line.append(el('span', 'tc-history-name', item.comment.author.name), ' · ');
  if (firstSeenAt) line.append(TEXT.firstSeen, timeElement(firstSeenAt));
  else line.append(TEXT.unknownAccount);
  line.append(` · ${TEXT.comments(comments)} · ${TEXT.holds(holds)} · ${TEXT.rejections(rejections)}`);
  return line;
}

/** Everything above, in reading order. */
export function itemContext(item: ModerationItem): HTMLElement[] {
  const parent = parentQuote(item);
  return [threadLine(item), ...(parent ? [parent] : []), authorHistory(item)];
}
