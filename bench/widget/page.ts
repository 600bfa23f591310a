/**
 * The browser side of `npm run bench:widget` (bundled by bench/widget-render.ts):
 * renders synthetic threads with the widget's CommentList and times, with the
 * layout each change causes, the first render and one live event, against the
 * baseline of redrawing the whole list (what the widget did before patching).
 */
import type { Comment } from '../../contract/index.ts';
import { styleSheet } from '../../client/dom.ts';
import type { CommentActions } from '../../client/widget/actions.ts';
import { renderComment, replyLabel } from '../../client/widget/comment-item.ts';
import { CommentList, conversationOrder } from '../../client/widget/comment-list.ts';
import { STYLE } from '../../client/widget/style.ts';

const ME = 'reader';

/** A signed-in reader's actions (so every comment carries its action bar, as readers who can post see it); none is used. */
const actions: CommentActions = {
  me: () => ME,
  reply: () => undefined,
  closeReply: () => undefined,
  postReply: () => Promise.resolve(),
  participants: () => Promise.resolve([]),
  typing: () => undefined,
  remove: () => Promise.resolve(),
  report: () => Promise.resolve(),
  reports: new Map(),
  edits: new Map(),
  replies: new Map(),
  save: () => Promise.resolve(),
  redraw: () => undefined,
};

const START = Date.parse('2026-12-01T08:00:00Z');

function comment(i: number, parentId: string | null): Comment {
  return {
    id: `c${String(i).padStart(5, '0')}`,
    threadId: 'bench',
    parentId,
    author: { id: `u${i % 40}`, handle: `reader_${i % 40}`, name: `Reader ${i % 40}` },
    body: `Comment ${i}: a few sentences of an opinion about the article, https://example.com/source/${i} and some more words to wrap.`,
    mentions: [],
    status: 'visible',
    createdAt: new Date(START + i * 30_000).toISOString(),
    editedAt: null,
    featured: i % 97 === 0,
    offset: i + 1,
  };
}

/** A thread of `n`: every fourth comment replies to a recent one. */
function thread(n: number): Comment[] {
  const out: Comment[] = [];
  for (let i = 0; i < n; i++) out.push(comment(i, i % 4 === 3 ? out[Math.max(0, i - 1 - (i % 7))]!.id : null));
  return out;
}

/** As ThreadView.comments hands them over on every event: a fresh array, oldest first. */
const snapshot = (all: Comment[]) => [...all].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));

/** The baseline: the whole list rebuilt, as renderList did before the widget patched by id. */
function redrawAll(list: HTMLOListElement, comments: Comment[]): void {
  const byId = new Map(comments.map((c) => [c.id, c]));
  list.replaceChildren(
    ...conversationOrder(comments).map((c) => renderComment(c, replyLabel(c, c.parentId ? byId.get(c.parentId) : undefined), actions)),
  );
}

function timed(work: () => void): number {
  const start = performance.now();
  work();
  // Style and layout are part of the cost a reader waits for.
  void document.body.offsetHeight;
  return performance.now() - start;
}

export interface RunFigures {
  /** First render of the whole thread (patching list / full redraw), ms. */
  first: { patched: number; redraw: number };
  /** One live event on that thread: a new comment, an edit of one comment, ms. */
  created: { patched: number; redraw: number };
  edited: { patched: number; redraw: number };
}

function freshList(): HTMLOListElement {
  const list = document.createElement('ol');
  list.className = 'tl-list';
  document.querySelector('.tl')!.replaceChildren(list);
  return list;
}

function once(n: number, patchedFirst: boolean): RunFigures {
  warmUp();
  const base = thread(n);
  const added = comment(n, null);
  const editedAt = Math.floor(n / 2);
  const edited = { ...base[editedAt]!, body: 'Edited in place', editedAt: new Date(START + n * 30_000).toISOString(), offset: n + 2 };
  const withEdit = base.map((c, i) => (i === editedAt ? edited : c));

  const patched = () => {
    const list = new CommentList(freshList(), actions, () => undefined);
    return [
      timed(() => list.render(snapshot(base), false)),
      timed(() => list.render(snapshot([...base, added]), true)),
      timed(() => list.render(snapshot([...withEdit, added]), true)),
    ];
  };
  const redraw = () => {
    const list = freshList();
    return [
      timed(() => redrawAll(list, snapshot(base))),
      timed(() => redrawAll(list, snapshot([...base, added]))),
      timed(() => redrawAll(list, snapshot([...withEdit, added]))),
    ];
  };
  // Alternating which goes first, so neither always pays for a colder page.
  let p: number[];
  let r: number[];
  if (patchedFirst) {
    p = patched();
    r = redraw();
  } else {
    r = redraw();
    p = patched();
  }
  return {
    first: { patched: p[0]!, redraw: r[0]! },
    created: { patched: p[1]!, redraw: r[1]! },
    edited: { patched: p[2]!, redraw: r[2]! },
  };
}

/** Both ways once on a small thread, so the first measured render does not pay for compiling and first styling. */
function warmUp(): void {
  const small = snapshot(thread(50));
  new CommentList(freshList(), actions, () => undefined).render(small, false);
  redrawAll(freshList(), small);
}

declare global {
  interface Window {
    widgetBench(n: number, patchedFirst: boolean): RunFigures;
  }
}

document.head.append(styleSheet(STYLE));
document.body.append(Object.assign(document.createElement('section'), { className: 'tl' }));
window.widgetBench = once;
