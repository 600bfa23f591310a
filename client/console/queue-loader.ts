import type { RestClient } from '../sdk/rest.ts';
import type { Say } from './layout.ts';
import type { ConsoleState } from './state.ts';

export interface QueueLoader {
  load(): Promise<void>;
  /** Queues change under everyone's hands: reload shortly after anything that could have moved them. */
  refreshSoon(): void;
  stop(): void;
}

/** Loads the current queue page into `state` (only the newest of overlapping loads lands), then calls `loaded`. */
export function queueLoader(rest: RestClient, state: ConsoleState, loaded: () => void, say: Say): QueueLoader {
  let loading = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const load = async () => {
    const mine = ++loading;
    try {
      const page = await rest.queue(state.current, { limit: 50, ...(state.threadFilter ? { threadId: state.threadFilter } : {}) });
      if (mine !== loading) return; // a newer load is on its way
      state.items = page.items;
      state.counts = page.counts;
      loaded();
    } catch (err) {
      if (mine === loading) say(`Could not load the queue: ${err instanceof Error ? err.message : String(err)}`, true);
    }
  };
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void load(), 150);
  };
  return { load, refreshSoon, stop: () => clearTimeout(refreshTimer) };
}
