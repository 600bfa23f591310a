import { el, styleSheet } from '../dom.ts';
import { SORT_ORDERS, type SortOrder } from './comment-list.ts';
import { STYLE } from './style.ts';

// Reader-facing text of the frame (one place, for the message table to take over).
const TEXT = {
  sort: 'Sort',
  orders: { oldest: 'Oldest first', newest: 'Newest first', featured: 'Featured first' } satisfies Record<SortOrder, string>,
  comments: (n: number) => (n === 1 ? '1 comment' : `${n} comments`),
  newComments: { one: (n: number) => `${n} new comment`, other: (n: number) => `${n} new comments` },
};

/** The widget's fixed parts; the comment list, bell, inbox, "older" button and composer go in around them. */
export interface Frame {
  box: HTMLElement;
  /** The thread's title (h2), unless the host page slotted its own heading. */
  title: HTMLHeadingElement | undefined;
  head: HTMLDivElement;
  count: HTMLSpanElement;
  viewers: HTMLSpanElement;
  /** Live / reconnecting / offline (connection.ts). */
  connection: HTMLSpanElement;
  sort: HTMLSelectElement;
  status: HTMLDivElement;
  /** "N new comments": shown while comments that arrived above the reader's place are held back. */
  newBar: HTMLButtonElement;
  list: HTMLOListElement;
  typing: HTMLDivElement;
}

/**
 * Replaces what `root` holds with the widget's frame. A host element with
 * `slot="heading"` inside `root` (also from an earlier mount) is kept as the
 * heading; otherwise the widget shows the thread's title from the API.
 */
export function mountFrame(root: HTMLElement, sort: SortOrder): Frame {
  const box = el('section', 'tl');
  const hostHeading = root.querySelector<HTMLElement>('[slot="heading"]');
  const title = hostHeading ? undefined : el('h2', 'tl-title');
  if (title) title.hidden = true;
  const head = el('div', 'tl-head');
  const count = el('span', 'tl-count', '');
  const viewers = el('span', 'tl-viewers', '');
  const connection = el('span', 'tl-connection');
  // A status region: a change of state is announced politely, never interrupting.
  connection.setAttribute('role', 'status');
  const sortLabel = el('label', 'tl-sort-label', `${TEXT.sort} `);
  const sortSelect = el('select', 'tl-sort');
  for (const order of SORT_ORDERS) sortSelect.append(Object.assign(el('option', '', TEXT.orders[order]), { value: order }));
  sortSelect.value = sort;
  sortLabel.append(sortSelect);
  head.append(count, viewers, connection, sortLabel);
  const newBar = el('button', 'tl-new-bar');
  newBar.type = 'button';
  newBar.hidden = true;
  const list = el('ol', 'tl-list');
  const typing = el('div', 'tl-typing');
  const status = el('div', 'tl-status');
  box.append(...(hostHeading ? [hostHeading] : title ? [title] : []), head, status, newBar, list, typing);
  root.replaceChildren(styleSheet(STYLE), box);
  return { box, title, head, count, viewers, connection, sort: sortSelect, status, newBar, list, typing };
}

/** The thread's count comes with the join, a moment after the first page: until then, none (not the page's). */
export function countText(total: number | undefined): string {
  return total === undefined ? '' : TEXT.comments(total);
}

const plural = new Intl.PluralRules('en');

/** "1 new comment", "3 new comments": the plural form chosen by Intl.PluralRules. */
export function newCommentsText(n: number): string {
  return plural.select(n) === 'one' ? TEXT.newComments.one(n) : TEXT.newComments.other(n);
}
