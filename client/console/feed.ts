import type { AuthoredComment, ModEvent } from '../../contract/index.ts';
import { excerpt } from '../../contract/text.ts';
import { button, el } from '../dom.ts';
import type { RestClient } from '../sdk/rest.ts';
import { showDetails, type DetailHandlers } from './details.ts';
import { timeElement } from './time.ts';
import type { ThreadTitles } from './titles.ts';

const FEED_MAX = 100;

const TEXT = {
  kind: { created: 'New', edited: 'Edited', hold: 'Held', report: 'Reported', action: 'Action', claim: 'Claim' },
  in: ' in ',
  reportedBy: (reason: string, name: string, n: number) => `${reason} by ${name} (${n} in all): `,
  handling: (handle: string) => `@${handle} is handling `,
  released: ' released',
  anItem: 'an item',
  aReader: 'a reader’s account',
  open: 'Open',
  close: 'Close',
  pause: 'Pause',
  resume: (n: number) => `Resume (${n} new)`,
  paused: (n: number) => `Paused: ${n} new item${n === 1 ? '' : 's'} waiting`,
} as const;

type Part = string | Node;

interface Line {
  kind: string;
  /** When it happened (or, for events that carry no time, when it arrived). */
  at: string;
  parts: Part[];
  commentId?: string | undefined;
}

export interface FeedParts {
  list: HTMLOListElement;
  pause: HTMLButtonElement;
  status: HTMLElement;
}

export interface Feed {
  add(e: ModEvent): void;
  /** Empties the feed (a new thread filter), buffered items too. */
  clear(): void;
}

/** What the feed knows while describing an event: comments it has seen (claims name only an id) and article titles. */
class Names {
  private readonly comments = new Map<string, AuthoredComment>();
  constructor(readonly titles: ThreadTitles) {}

  summary(c: AuthoredComment): Part[] {
    this.comments.set(c.id, c);
    if (this.comments.size > FEED_MAX) this.comments.delete(this.comments.keys().next().value!);
    return [c.author.name, TEXT.in, this.titles.span(c.threadId), `: ${excerpt(c.body, 140)}`];
  }

  known(commentId: string): Part[] {
    const c = this.comments.get(commentId);
    return c ? this.summary(c) : [TEXT.anItem];
  }
}

function actionLine(e: Extract<ModEvent, { type: 'action' }>, names: Names): Line {
  const { by, target } = e.entry;
  const who = by.kind === 'user' ? `@${by.handle}` : by.name;
  const what: Part[] = e.comment
    ? [' (', ...names.summary(e.comment), ')']
    : target.threadId
      ? [' ', e.thread?.title ?? names.titles.span(target.threadId)]
      : target.userId
        ? [' ', TEXT.aReader]
        : [];
  return { kind: TEXT.kind.action, at: e.entry.at, parts: [`${who} ${e.entry.action}`, ...what], commentId: target.commentId };
}

/** A feed line for an event, or none (queue counts are not news). `now`: the time of events that carry none. */
function describe(e: ModEvent, now: string, names: Names): Line | undefined {
  switch (e.type) {
    case 'comment': {
      const verdict = e.moderation ? ` [${e.moderation.status}: ${e.moderation.reasons.map((r) => r.detail).join(', ')}]` : '';
      const at = e.change === 'created' ? e.comment.createdAt : (e.comment.editedAt ?? now);
      return { kind: TEXT.kind[e.change], at, parts: [...names.summary(e.comment), verdict], commentId: e.comment.id };
    }
    case 'hold': {
      const why = ` [${e.moderation.reasons.map((r) => `${r.rule}: ${r.detail}`).join(', ')}]`;
      return { kind: TEXT.kind.hold, at: e.moderation.at, parts: [...names.summary(e.comment), why], commentId: e.comment.id };
    }
    case 'report':
      return {
        kind: TEXT.kind.report,
        at: now,
        parts: [TEXT.reportedBy(e.reason, e.reporter.name, e.reports), ...names.summary(e.comment)],
        commentId: e.comment.id,
      };
    case 'action':
      return actionLine(e, names);
    case 'claim':
      return {
        kind: TEXT.kind.claim,
        at: now,
        parts: e.by ? [TEXT.handling(e.by.handle), ...names.known(e.commentId)] : [...names.known(e.commentId), TEXT.released],
        commentId: e.commentId,
      };
    case 'queues':
      return undefined;
  }
}

/** A line about a comment opens (and closes) its details and actions under it. */
function openable(li: HTMLLIElement, commentId: string, rest: RestClient, on: DetailHandlers): void {
  li.dataset.commentId = commentId;
  const details = el('div', 'tc-details');
  const toggle = button('tc-open', TEXT.open, () => {
    const opening = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(opening));
    toggle.textContent = opening ? TEXT.close : TEXT.open;
    if (!opening) return details.remove();
    li.append(details);
    void showDetails(details, rest, commentId, on);
  });
  toggle.setAttribute('aria-expanded', 'false');
  li.append(' ', toggle);
}

function render(type: ModEvent['type'], line: Line, rest: RestClient, on: DetailHandlers): HTMLLIElement {
  const li = el('li', `tc-event tc-event-${type}`);
  const text = el('span', 'tc-text');
  text.append(...line.parts);
  li.append(el('span', 'tc-kind', line.kind), timeElement(line.at), ' ', text);
  if (line.commentId) openable(li, line.commentId, rest, on);
  return li;
}

/**
 * The live feed: one line per event, newest first, with its time, names and
 * article titles (never raw ids). Pausing holds new lines back, counted, until
 * resumed; a line about a comment opens to its details and actions.
 */
export function liveFeed(ui: FeedParts, titles: ThreadTitles, rest: RestClient, on: DetailHandlers): Feed {
  const names = new Names(titles);
  let paused = false;
  let buffered: HTMLLIElement[] = [];
  const trim = () => {
    while (ui.list.children.length > FEED_MAX) ui.list.lastElementChild!.remove();
  };
  const showState = () => {
    ui.pause.textContent = paused ? TEXT.resume(buffered.length) : TEXT.pause;
    ui.pause.setAttribute('aria-pressed', String(paused));
    ui.status.textContent = paused ? TEXT.paused(buffered.length) : '';
  };
  ui.pause.addEventListener('click', () => {
    paused = !paused;
    if (!paused) {
      // Oldest first, so the newest ends on top as if it had arrived live.
      for (const li of buffered) ui.list.prepend(li);
      buffered = [];
      trim();
    }
    showState();
  });
  showState();

  return {
    add(e) {
      const line = describe(e, new Date().toISOString(), names);
      if (!line) return;
      const li = render(e.type, line, rest, on);
      if (!paused) {
        ui.list.prepend(li);
        return trim();
      }
      buffered.push(li);
      if (buffered.length > FEED_MAX) buffered.shift();
      showState();
    },
    clear() {
      ui.list.replaceChildren();
      buffered = [];
      showState();
    },
  };
}
