import { el, styleSheet } from '../dom.ts';
import { STYLE } from './style.ts';

/** The widget's fixed parts; the comment list, bell, inbox, "older" button and composer go in around them. */
export interface Frame {
  box: HTMLElement;
  head: HTMLDivElement;
  count: HTMLSpanElement;
  viewers: HTMLSpanElement;
  status: HTMLDivElement;
  list: HTMLOListElement;
  typing: HTMLDivElement;
}

/** Replaces what `root` holds with the widget's frame. */
export function mountFrame(root: HTMLElement): Frame {
  const box = el('section', 'tl');
  const head = el('div', 'tl-head');
  const count = el('span', 'tl-count', '');
  const viewers = el('span', 'tl-viewers', '');
  head.append(count, viewers);
  const list = el('ol', 'tl-list');
  const typing = el('div', 'tl-typing');
  const status = el('div', 'tl-status');
  box.append(head, status, list, typing);
  root.replaceChildren(styleSheet(STYLE), box);
  return { box, head, count, viewers, status, list, typing };
}

/** The thread's count comes with the join, a moment after the first page: until then, none (not the page's). */
export function countText(total: number | undefined): string {
  return total === undefined ? '' : total === 1 ? '1 comment' : `${total} comments`;
}
