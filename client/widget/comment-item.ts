import type { Comment } from '../../contract/index.ts';
import { el } from '../dom.ts';
import { renderActions } from './action-bar.ts';
import type { CommentActions } from './actions.ts';
import { renderBody } from './comment-body.ts';
import { renderEditor } from './editor.ts';
import { timeElement } from './time.ts';

/** What a reader sees in place of a comment that is gone or held: no author, no text. */
const TOMBSTONE: Record<Comment['status'], string> = {
  deleted: 'This comment was deleted',
  removed: 'Removed by a moderator',
  pending: 'This comment is awaiting moderation',
  visible: '',
};

export function renderComment(c: Comment, byId: Map<string, Comment>, actions: CommentActions): HTMLLIElement {
  if (!c.author) {
    const gone = el('li', `tl-comment tl-tombstone${c.parentId ? ' tl-reply' : ''}`, TOMBSTONE[c.status]);
    gone.dataset.commentId = c.id;
    return gone;
  }
  const item = el(
    'li',
    `tl-comment${c.parentId ? ' tl-reply' : ''}${c.status === 'pending' ? ' tl-pending' : ''}${c.featured ? ' tl-featured' : ''}`,
  );
  item.dataset.commentId = c.id;
  const meta = el('div', 'tl-meta');
  meta.append(el('span', 'tl-author', c.author.name), timeElement(c.createdAt));
  if (c.status === 'pending') meta.append(el('span', 'tl-badge', 'awaiting moderation'));
  if (c.featured) meta.append(el('span', 'tl-badge tl-badge-featured', 'featured'));
  const parent = c.parentId ? byId.get(c.parentId) : undefined;
  if (parent)
    meta.append(el('span', 'tl-time', parent.author ? `replying to ${parent.author.name}` : 'replying to a comment that is gone'));
  if (c.editedAt) meta.append(el('span', 'tl-time tl-edited', 'edited'));
  item.append(meta, actions.edits.has(c.id) ? renderEditor(c, actions) : renderBody(c));
  const bar = renderActions(c, actions);
  if (bar) item.append(bar);
  return item;
}
