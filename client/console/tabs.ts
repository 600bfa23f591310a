import type { QueueName } from '../../contract/index.ts';
import { button } from '../dom.ts';
import type { ConsoleState } from './state.ts';

/** Every queue, in tab order (a Record, so a queue added to the contract cannot be missing here). */
const QUEUE_LABELS: Record<QueueName, string> = { pending: 'Pending', reported: 'Reported', flagged: 'Flagged', rejected: 'Rejected' };

/** One tab a queue, with its count when known; `choose` switches to it. */
export function renderTabs(tabs: HTMLElement, state: ConsoleState, choose: (name: QueueName) => void): void {
  tabs.replaceChildren(
    ...(Object.entries(QUEUE_LABELS) as [QueueName, string][]).map(([name, label]) => {
      const n = state.counts[name];
      const text = n === undefined ? label : `${label} (${n})`;
      const tab = button(`tc-tab${name === state.current ? ' tc-current' : ''}`, text, () => choose(name));
      tab.dataset.queue = name;
      return tab;
    }),
  );
}
