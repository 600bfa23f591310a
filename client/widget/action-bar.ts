import type { Comment } from '../../contract/index.ts';
import { button, el } from '../dom.ts';
import type { CommentActions } from './actions.ts';
import { failure } from './failure.ts';
import { renderReport } from './report-form.ts';

/** Reply, and Edit/Delete on your own comments or Report on others'; nothing for a reader who is not signed in. */
export function renderActions(c: Comment, actions: CommentActions): HTMLDivElement | null {
  const me = actions.me();
  if (!me) return null;
  const bar = el('div', 'tl-actions');
  if (c.status === 'visible') bar.append(button('tl-reply-to', 'Reply', () => actions.reply(c)));
  if (c.author?.id === me) {
    if (!actions.edits.has(c.id))
      bar.append(button('tl-edit', 'Edit', () => (actions.edits.set(c.id, { text: c.body, saving: false }), actions.redraw(c.id))));
    const del = button('tl-delete', 'Delete', () => {
      del.disabled = true;
      actions.remove(c).catch((err: unknown) => {
        del.disabled = false;
        del.textContent = failure(err, 'Could not delete');
      });
    });
    bar.append(del);
  } else if (c.status === 'visible') {
    bar.append(...renderReport(c, actions));
  }
  return bar;
}
