import type { CommentAction } from '../../contract/index.ts';
import { actionsFor, type ItemHandlers } from './queue-list.ts';
import type { Say } from './layout.ts';
import type { ConsoleState } from './state.ts';

const KEYS: Record<string, CommentAction | 'claim' | 'ban'> = { a: 'approve', r: 'reject', f: 'feature', c: 'claim', b: 'ban' };

export interface KeyTargets extends Omit<ItemHandlers, 'select'> {
  state: ConsoleState;
  list: HTMLElement;
  redraw(): void;
  say: Say;
}

/** The console's keys (j/k move, a/r/f act, c claim, b ban), except while typing in a field or with a modifier held. */
export function keyHandler(t: KeyTargets): (e: KeyboardEvent) => void {
  return (e) => {
    const target = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey || (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const { items } = t.state;
    const at = items.findIndex((i) => i.comment.id === t.state.selected);
    if (e.key === 'j' || e.key === 'k') {
      const next = items[Math.min(items.length - 1, Math.max(0, at + (e.key === 'j' ? 1 : -1)))];
      if (next) t.state.selected = next.comment.id;
      t.redraw();
      t.list.querySelector('.tc-selected')?.scrollIntoView({ block: 'nearest' });
      return;
    }
    const wanted = KEYS[e.key];
    const item = items[at];
    if (!wanted || !item) return;
    e.preventDefault();
    if (wanted === 'claim') void t.claim(item.comment.id);
    else if (wanted === 'ban') void t.ban(item.comment);
    else if (actionsFor(item.comment).includes(wanted)) void t.act(item.comment.id, wanted);
    else t.say(`${wanted} does not apply to a ${item.comment.status} comment`, true);
  };
}
