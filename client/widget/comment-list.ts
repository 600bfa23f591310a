import type { Comment } from '../../contract/index.ts';
import type { CommentActions } from './actions.ts';
import { renderComment, replyLabel } from './comment-item.ts';

/** How conversations are ordered; replies always follow their conversation's first comment, oldest first. */
export type SortOrder = 'oldest' | 'newest' | 'featured';
export const SORT_ORDERS: readonly SortOrder[] = ['oldest', 'newest', 'featured'];

/**
 * Conversation order: each top-level comment followed by every reply in its
 * conversation (replies to replies included), each group oldest first; the
 * groups oldest first, newest first, or featured ones (newest first) before
 * the rest (newest first). A reply whose conversation is not loaded (an older
 * page) stands on its own. `comments` come oldest first (ThreadView).
 */
export function conversationOrder(comments: Comment[], sort: SortOrder = 'oldest'): Comment[] {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const rootOf = (c: Comment): string => {
    let at = c;
    for (let hops = 0; at.parentId && byId.has(at.parentId) && hops < 100; hops++) at = byId.get(at.parentId)!;
    return at.id;
  };
  const groups = new Map<string, Comment[]>();
  for (const c of comments) {
    const root = rootOf(c);
    const group = groups.get(root);
    if (group) group.push(c);
    else groups.set(root, [c]);
  }
  const ordered = [...groups.values()];
  if (sort !== 'oldest') ordered.reverse();
  if (sort === 'featured') {
    const featured = ordered.filter((g) => g[0]!.featured);
    return [...featured, ...ordered.filter((g) => !g[0]!.featured)].flat();
  }
  return ordered.flat();
}

interface Drawn {
  comment: Comment;
  label: string;
  node: HTMLLIElement;
}

/**
 * The comment list, patched rather than redrawn: each comment's `<li>` is
 * kept (keyed by id) while the comment object and its "replying to" label
 * are the same, so a live event rebuilds only the comments it changed and
 * moves or inserts only the nodes whose place changed. Everything else,
 * including a draft being typed in another comment, stays the same node.
 *
 * New comments that arrive live above what the reader is looking at (the
 * list's top scrolled out of view) are held back instead of pushing the page
 * down; `held` counts them until `reveal`.
 */
export class CommentList {
  private readonly drawn = new Map<string, Drawn>();
  private readonly held = new Set<string>();
  /** The order the next render draws in. */
  order: SortOrder = 'oldest';

  constructor(
    readonly element: HTMLOListElement,
    private readonly actions: CommentActions,
    private readonly onHeld: (count: number) => void,
  ) {}

  /** Forgets the drawn node of `id` (or of every comment): its own state changed, so the next render rebuilds it. */
  invalidate(id?: string): void {
    if (id === undefined) this.drawn.clear();
    else this.drawn.delete(id);
  }

  /** Shows the held comments; returns the node of the first one in list order, to scroll to. */
  reveal(comments: Comment[]): HTMLLIElement | undefined {
    const ids = new Set(this.held);
    this.held.clear();
    this.render(comments, false);
    return conversationOrder(comments, this.order)
      .filter((c) => ids.has(c.id))
      .map((c) => this.drawn.get(c.id)?.node)
      .find((n) => n !== undefined);
  }

  /** Brings the list in line with `comments`; with `live`, comments new to the list may be held back (see above). */
  render(comments: Comment[], live: boolean): void {
    const byId = new Map(comments.map((c) => [c.id, c]));
    const ordered = conversationOrder(comments, this.order);
    for (const id of this.held) if (!byId.has(id)) this.held.delete(id);
    if (live) this.holdNewAbove(ordered);
    const shown = ordered.filter((c) => !this.held.has(c.id));

    const focused = document.activeElement;
    const keep =
      focused instanceof HTMLTextAreaElement && this.element.contains(focused) && focused.dataset.keepFocus
        ? { id: focused.dataset.keepFocus, start: focused.selectionStart, end: focused.selectionEnd }
        : undefined;

    const wanted = shown.map((c) => this.nodeFor(c, byId));
    const keepIds = new Set(shown.map((c) => c.id));
    for (const id of this.drawn.keys()) if (!keepIds.has(id)) this.drawn.delete(id);
    const wantedNodes = new Set<Element>(wanted);
    for (const child of [...this.element.children]) if (!wantedNodes.has(child)) child.remove();
    // A first render inserts everything at once; after that, nodes already in place are left alone
    // (moving a node would blur a draft typed in it).
    if (!this.element.firstElementChild) this.element.append(...wanted);
    let at = this.element.firstElementChild;
    for (const node of wanted) {
      if (node === at) at = at.nextElementSibling;
      else this.element.insertBefore(node, at);
    }

    if (keep && document.activeElement !== focused) {
      const again = [...this.element.querySelectorAll<HTMLTextAreaElement>('textarea[data-keep-focus]')].find(
        (t) => t.dataset.keepFocus === keep.id,
      );
      again?.focus();
      again?.setSelectionRange(keep.start, keep.end);
    }
    this.onHeld(this.held.size);
  }

  private nodeFor(c: Comment, byId: Map<string, Comment>): HTMLLIElement {
    const label = replyLabel(c, c.parentId ? byId.get(c.parentId) : undefined);
    const had = this.drawn.get(c.id);
    if (had && had.comment === c && had.label === label) return had.node;
    const node = renderComment(c, label, this.actions);
    this.drawn.set(c.id, { comment: c, label, node });
    return node;
  }

  /**
   * Holds comments new to the list whose place is before the first comment
   * the reader can see, while the list's top is scrolled out of view. The
   * reader's own comments are never held: they just posted them.
   */
  private holdNewAbove(ordered: Comment[]): void {
    if (this.element.getBoundingClientRect().top >= 0) return;
    const anchor = [...this.element.children].find((li) => li.getBoundingClientRect().bottom > 0) as HTMLElement | undefined;
    const anchorId = anchor?.dataset.commentId;
    if (!anchorId) return;
    const onPage = new Set([...this.element.children].map((li) => (li as HTMLElement).dataset.commentId));
    const me = this.actions.me();
    for (const c of ordered) {
      if (c.id === anchorId) return;
      if (!onPage.has(c.id) && (!me || c.author?.id !== me)) this.held.add(c.id);
    }
  }
}
