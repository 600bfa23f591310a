import type { RestClient } from '../sdk/rest.ts';
import { el } from '../dom.ts';

const LOADING = '…';

/**
 * Article titles for the live feed, whose events name a thread only by id:
 * each thread is asked for once (GET /api/threads/:id) and every span made
 * while waiting is filled in when it comes (also those of a paused feed, not
 * on the page yet). A thread the host site never titled shows its id.
 */
export function threadTitles(rest: RestClient) {
  const known = new Map<string, string>();
  const waiting = new Map<string, HTMLSpanElement[]>();
  const fill = (threadId: string, title: string) => {
    known.set(threadId, title);
    for (const span of waiting.get(threadId) ?? []) span.textContent = title;
    waiting.delete(threadId);
  };
  return {
    /** Remembers titles the server already sent (queue items carry theirs). */
    learn(threadId: string, title: string | null): void {
      if (!known.has(threadId)) fill(threadId, title ?? threadId);
    },
    /** A span with the thread's title, now or as soon as it is known. */
    span(threadId: string): HTMLSpanElement {
      const title = known.get(threadId);
      const span = el('span', 'tc-thread-title', title ?? LOADING);
      if (title !== undefined) return span;
      const spans = waiting.get(threadId);
      if (spans) spans.push(span);
      else {
        waiting.set(threadId, [span]);
        rest.thread(threadId).then(
          ({ thread }) => fill(threadId, thread.title ?? threadId),
          () => fill(threadId, threadId),
        );
      }
      return span;
    },
  };
}

export type ThreadTitles = ReturnType<typeof threadTitles>;
