import type { QueueItem, QueueName } from '../../contract/index.ts';

/** What the console shows: one object the parts share, so each part reads the latest. */
export interface ConsoleState {
  current: QueueName;
  items: QueueItem[];
  selected: string | undefined;
  counts: Partial<Record<QueueName, number>>;
  /** One thread only, or (empty) the whole site: narrows the queues and the live feed alike. */
  threadFilter: string;
}

export const initialState = (): ConsoleState => ({ current: 'pending', items: [], selected: undefined, counts: {}, threadFilter: '' });
