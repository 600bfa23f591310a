import { button, el, styleSheet, submitButton } from '../dom.ts';
import { STYLE } from './style.ts';

const TEXT = {
  feedControls: 'Live feed controls',
} as const;

export interface Layout {
  who: HTMLSpanElement;
  connection: HTMLSpanElement;
  tabs: HTMLElement;
  message: HTMLDivElement;
  queueList: HTMLOListElement;
  feed: HTMLOListElement;
  feedPause: HTMLButtonElement;
  feedStatus: HTMLSpanElement;
  filter: HTMLFormElement;
  threadInput: HTMLInputElement;
}

/** Replaces what `root` holds with the console's layout. */
export function mountLayout(root: HTMLElement): Layout {
  const box = el('section', 'tc');
  const who = el('span', 'tc-who', 'Connecting…');
  const connection = el('span', 'tc-connection', '');
  const top = el('div', 'tc-top');
  top.append(who, connection);
  const tabs = el('nav', 'tc-tabs');
  const help = el(
    'div',
    'tc-help',
    'j / k: next / previous · a: approve · r: reject · f: feature · c: claim · b b: ban the author for 24 h',
  );
  const message = el('div', 'tc-message');
  const queueList = el('ol', 'tc-queue');
  const feedTitle = el('h2', 'tc-feed-title', 'Live feed');
  feedTitle.style.font = '600 15px system-ui';
  const feed = el('ol', 'tc-feed');
  feed.setAttribute('aria-labelledby', 'tc-feed-title');
  feedTitle.id = 'tc-feed-title';
  const feedBar = el('div', 'tc-feed-bar');
  feedBar.setAttribute('role', 'group');
  feedBar.setAttribute('aria-label', TEXT.feedControls);
  const feedPause = button('tc-feed-pause', '', () => undefined);
  const feedStatus = el('span', 'tc-feed-status');
  feedStatus.setAttribute('role', 'status');
  feedBar.append(feedPause, ' ', feedStatus);
  const filter = el('form', 'tc-filter');
  const threadInput = el('input', 'tc-thread');
  threadInput.placeholder = 'All threads (or a thread id)';
  threadInput.setAttribute('aria-label', 'Thread filter');
  filter.append(threadInput, submitButton('tc-thread-apply', 'Filter'));
  box.append(top, filter, tabs, help, message, queueList, feedTitle, feedBar, feed);
  root.replaceChildren(styleSheet(STYLE), box);
  return { who, connection, tabs, message, queueList, feed, feedPause, feedStatus, filter, threadInput };
}

/** Shows a one-line message: what an action did, or (bad) why it did not. */
export type Say = (text: string, bad?: boolean) => void;

/** The console's one-line messages. */
export function messenger(message: HTMLElement): Say {
  return (text, bad = false) => {
    message.textContent = text;
    message.classList.toggle('tc-bad', bad);
  };
}
