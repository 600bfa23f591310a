import type { AuthoredComment, ModEvent } from '../../contract/index.ts';
import { el } from '../dom.ts';
import { excerpt } from '../../contract/text.ts';

const FEED_MAX = 100;

const summary = (c: AuthoredComment) => `${c.author.name} in ${c.threadId}: ${excerpt(c.body, 140)}`;

/** A feed line for an event: its kind and what happened, or none (queue counts are not news). */
export function describe(e: ModEvent): [string, string] | undefined {
  switch (e.type) {
    case 'comment': {
      const verdict = e.moderation ? ` [${e.moderation.status}: ${e.moderation.reasons.map((r) => r.detail).join(', ')}]` : '';
      return [e.change === 'created' ? 'New' : 'Edited', summary(e.comment) + verdict];
    }
    case 'hold':
      return ['Held', `${summary(e.comment)} [${e.moderation.reasons.map((r) => `${r.rule}: ${r.detail}`).join(', ')}]`];
    case 'report':
      return ['Reported', `${e.reason} by ${e.reporter.name} (${e.reports} in all): ${summary(e.comment)}`];
    case 'action': {
      const by = e.entry.by.kind === 'user' ? `@${e.entry.by.handle}` : e.entry.by.name;
      const what = e.entry.target.commentId ?? e.entry.target.threadId ?? e.entry.target.userId ?? '';
      return ['Action', `${by} ${e.entry.action} ${what}${e.comment ? ` (${summary(e.comment)})` : ''}`];
    }
    case 'claim':
      return ['Claim', e.by ? `@${e.by.handle} is handling ${e.commentId}` : `${e.commentId} released`];
    case 'queues':
      return undefined;
  }
}

/** Puts the event at the top of the live feed, which keeps the newest FEED_MAX lines. */
export function addToFeed(feed: HTMLOListElement, e: ModEvent): void {
  const line = describe(e);
  if (!line) return;
  const li = el('li', `tc-event tc-event-${e.type}`);
  li.append(el('span', 'tc-kind', line[0]), line[1]);
  feed.prepend(li);
  while (feed.children.length > FEED_MAX) feed.lastElementChild!.remove();
}
