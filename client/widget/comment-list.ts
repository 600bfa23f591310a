import type { Comment } from '../../contract/index.ts';
import type { CommentActions } from './actions.ts';
import { renderComment } from './comment-item.ts';

/**
 * Conversation order: each top-level comment followed by every reply in its
 * conversation (replies to replies included), each group oldest first. A
 * reply whose conversation is not loaded (an older page) stands on its own.
 */
function conversationOrder(comments: Comment[]): Comment[] {
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
  // Groups keep the position of their first comment; a reply loaded before its root cannot happen (oldest first).
  return [...groups.values()].flat();
}

/** Redraws `list` with `comments`. A draft being typed must not lose focus or caret when a live event redraws the list. */
export function renderList(list: HTMLOListElement, comments: Comment[], actions: CommentActions): void {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const focused = document.activeElement;
  const keep =
    focused instanceof HTMLTextAreaElement && list.contains(focused) && focused.dataset.keepFocus
      ? { id: focused.dataset.keepFocus, start: focused.selectionStart, end: focused.selectionEnd }
      : undefined;
  list.replaceChildren(...conversationOrder(comments).map((c) => renderComment(c, byId, actions)));
  if (keep) {
    const again = [...list.querySelectorAll<HTMLTextAreaElement>('textarea[data-keep-focus]')].find((t) => t.dataset.keepFocus === keep.id);
    again?.focus();
    again?.setSelectionRange(keep.start, keep.end);
  }
}
