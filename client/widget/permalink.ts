/**
 * Links into a thread: `<article url>#comment-<id>` (what the moderation
 * console's "View in thread" opens; contract/moderation.ts `commentLink`).
 * The widget draws after the page has loaded, so the browser's own jump to the
 * fragment finds nothing; the widget does it once the comment is drawn.
 */
export const commentAnchor = (commentId: string) => `comment-${commentId}`;

const linkedId = (hash: string) => /^#comment-(.+)$/.exec(hash)?.[1];

function reveal(list: HTMLElement): void {
  const id = linkedId(location.hash);
  if (!id) return;
  const item = list.querySelector<HTMLElement>(`.tl-comment[data-comment-id="${CSS.escape(decodeURIComponent(id))}"]`);
  if (!item) return;
  for (const other of list.querySelectorAll('.tl-linked')) other.classList.remove('tl-linked');
  item.classList.add('tl-linked');
  // Focusable without joining the tab order, so keyboard and screen-reader users land on it too.
  item.tabIndex = -1;
  item.scrollIntoView({ block: 'center' });
  item.focus({ preventScroll: true });
}

/** Shows the linked comment now (call after the first draw) and whenever the fragment changes. */
export function followCommentLinks(list: HTMLElement): void {
  reveal(list);
  const onHashChange = () => {
    if (!list.isConnected) window.removeEventListener('hashchange', onHashChange);
    else reveal(list);
  };
  window.addEventListener('hashchange', onHashChange);
}
