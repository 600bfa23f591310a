import type { ModerationItem } from '../../contract/index.ts';
import { button, el } from '../dom.ts';
import type { RestClient } from '../sdk/rest.ts';
import { itemContext } from './item-context.ts';
import { actionsFor, type ItemHandlers } from './queue-list.ts';
import { timeElement } from './time.ts';

const TEXT = {
  loading: 'Loading…',
  failed: (why: string) => `Could not open this item: ${why}`,
  claim: 'claim',
  status: (s: string) => ` · ${s}`,
  reasons: (r: string) => `Why: ${r}`,
  reports: (n: number) => `${n} report${n === 1 ? '' : 's'}`,
  claimedBy: (handle: string) => `@${handle} is handling this`,
} as const;

export type DetailHandlers = Pick<ItemHandlers, 'act' | 'claim'>;

function render(box: HTMLElement, item: ModerationItem, on: DetailHandlers, reload: () => void): void {
  const c = item.comment;
  const meta = el('div', 'tc-meta');
  meta.append(el('span', 'tc-author', `${c.author.name} @${c.author.handle}`), timeElement(c.createdAt), TEXT.status(c.status));
  const parts: HTMLElement[] = [meta, el('div', 'tc-body', c.body), ...itemContext(item)];
  const reasons = item.moderation?.reasons ?? [];
  if (reasons.length > 0) parts.push(el('div', 'tc-reasons', TEXT.reasons(reasons.map((r) => `${r.rule}: ${r.detail}`).join(' · '))));
  if (item.reports.count > 0) parts.push(el('div', 'tc-reasons', TEXT.reports(item.reports.count)));
  if (item.claim) parts.push(el('div', 'tc-claim', TEXT.claimedBy(item.claim.by.handle)));
  const actions = el('div', 'tc-actions');
  const after = (p: Promise<void>) => void p.then(reload);
  actions.append(button('tc-claim-button', TEXT.claim, () => after(on.claim(c.id))));
  for (const action of actionsFor(c)) actions.append(button(`tc-${action}`, action, () => after(on.act(c.id, action))));
  parts.push(actions);
  box.replaceChildren(...parts);
}

/** Loads one comment's details (GET /api/moderation/comments/:id) into `box`, with its actions; reloads after each. */
export function showDetails(box: HTMLElement, rest: RestClient, commentId: string, on: DetailHandlers): Promise<void> {
  const load = async (): Promise<void> => {
    try {
      const { item } = await rest.moderationItem(commentId);
      if (box.isConnected) render(box, item, on, () => void load());
    } catch (err) {
      box.replaceChildren(el('div', 'tc-bad', TEXT.failed(err instanceof Error ? err.message : String(err))));
    }
  };
  box.replaceChildren(el('div', 'tc-meta', TEXT.loading));
  return load();
}
