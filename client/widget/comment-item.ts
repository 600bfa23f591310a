import type { Comment } from '../../contract/index.ts';
import { el } from '../dom.ts';
import { renderActions } from './action-bar.ts';
import type { CommentActions } from './actions.ts';
import { renderBody } from './comment-body.ts';
import { renderEditor } from './editor.ts';
import { renderReplyComposer } from './reply-composer.ts';
import { timeElement } from './time.ts';
import { commentAnchor } from './permalink.ts';

/** What a reader sees in place of a comment that is gone or held: no author, no text. */
const TOMBSTONE: Record<Comment['status'], string> = {
  deleted: 'This comment was deleted',
  removed: 'Removed by a moderator',
  pending: 'This comment is awaiting moderation',
  visible: '',
};

// Reader-facing labels of a comment (one place, for the message table to take over).
const TEXT = {
  pending: 'awaiting moderation',
  featured: 'Featured',
  featuredLabel: 'Featured by the editors',
  replyingTo: (name: string) => `replying to ${name}`,
  replyingToGone: 'replying to a comment that is gone',
  edited: 'edited',
};

/** The "replying to …" label, which depends on the parent too: the list redraws a reply when it changes. */
export function replyLabel(c: Comment, parent: Comment | undefined): string {
  if (!parent) return '';
  return parent.author ? TEXT.replyingTo(parent.author.name) : TEXT.replyingToGone;
}

export function renderComment(c: Comment, label: string, actions: CommentActions): HTMLLIElement {
  if (!c.author) {
    const gone = el('li', `tl-comment tl-tombstone${c.parentId ? ' tl-reply' : ''}`, TOMBSTONE[c.status]);
    gone.dataset.commentId = c.id;
    gone.id = commentAnchor(c.id);
    return gone;
  }
  const item = el(
    'li',
    `tl-comment${c.parentId ? ' tl-reply' : ''}${c.status === 'pending' ? ' tl-pending' : ''}${c.featured ? ' tl-featured' : ''}`,
  );
  item.dataset.commentId = c.id;
  item.id = commentAnchor(c.id);
  const meta = el('div', 'tl-meta');
  meta.append(el('span', 'tl-author', c.author.name), timeElement(c.createdAt));
  if (c.status === 'pending') meta.append(el('span', 'tl-badge', TEXT.pending));
  if (c.featured) meta.append(Object.assign(el('span', 'tl-badge tl-badge-featured', TEXT.featured), { title: TEXT.featuredLabel }));
  if (label) meta.append(el('span', 'tl-time', label));
  if (c.editedAt) meta.append(el('span', 'tl-time tl-edited', TEXT.edited));
  item.append(meta, actions.edits.has(c.id) ? renderEditor(c, actions) : renderBody(c));
  const bar = renderActions(c, actions);
  if (bar) item.append(bar);
  if (bar && actions.replies.has(c.id)) item.append(renderReplyComposer(c, actions));
  return item;
}
