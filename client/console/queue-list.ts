import type { AuthoredComment, CommentAction, QueueItem } from '../../contract/index.ts';
import { button, el } from '../dom.ts';
import { itemContext } from './item-context.ts';
import type { ConsoleState } from './state.ts';
import { timeElement } from './time.ts';

/** What a moderator can do to a queue item, by click or key. */
export interface ItemHandlers {
  select(commentId: string): void;
  act(commentId: string, action: CommentAction): Promise<void>;
  claim(commentId: string): Promise<void>;
  ban(c: AuthoredComment): Promise<void>;
}

/** The actions that apply to a comment in its state. */
export function actionsFor(c: AuthoredComment): CommentAction[] {
  if (c.status === 'pending') return ['approve', 'reject'];
  if (c.status === 'removed') return ['restore'];
  return c.featured ? ['unfeature', 'reject'] : ['feature', 'reject'];
}

function renderItem(item: QueueItem, selected: boolean, on: ItemHandlers): HTMLLIElement {
  const c = item.comment;
  const li = el('li', `tc-item${selected ? ' tc-selected' : ''}`);
  li.dataset.commentId = c.id;
  li.addEventListener('click', () => on.select(c.id));
  const meta = el('div', 'tc-meta');
  meta.append(el('span', 'tc-author', `${c.author.name} @${c.author.handle}`), timeElement(c.createdAt), ` · ${c.status}`);
  li.append(meta, el('div', 'tc-body', c.body), ...itemContext(item));
  const reasons = item.moderation?.reasons ?? [];
  if (reasons.length > 0) li.append(el('div', 'tc-reasons', reasons.map((r) => `${r.rule}: ${r.detail}`).join(' · ')));
  if (item.reports.count > 0) {
    const why = Object.entries(item.reports.reasons)
      .map(([reason, n]) => `${reason} ×${n}`)
      .join(', ');
    li.append(el('div', 'tc-reasons', `${item.reports.count} report${item.reports.count === 1 ? '' : 's'}: ${why}`));
  }
  if (item.claim)
    li.append(el('div', 'tc-claim', `@${item.claim.by.handle} is handling this until ${new Date(item.claim.until).toLocaleTimeString()}`));
  const actions = el('div', 'tc-actions');
  for (const action of actionsFor(c)) actions.append(button(`tc-${action}`, action, () => void on.act(c.id, action)));
  actions.append(
    button('tc-claim-button', 'claim', () => void on.claim(c.id)),
    button('tc-ban', 'ban author', () => void on.ban(c)),
  );
  li.append(actions);
  return li;
}

/** Redraws the current queue; the selection stays on its item, or moves to the first when that item is gone. */
export function renderQueue(list: HTMLOListElement, state: ConsoleState, on: ItemHandlers): void {
  const { items } = state;
  if (!items.some((i) => i.comment.id === state.selected)) state.selected = items[0]?.comment.id;
  list.replaceChildren(
    ...(items.length === 0
      ? [el('li', 'tc-empty', 'Nothing here.')]
      : items.map((item) => renderItem(item, item.comment.id === state.selected, on))),
  );
}
