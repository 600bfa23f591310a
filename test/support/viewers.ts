import { expect } from 'vitest';
import { connect, type ConnectOptions, type ThreadlineClient, type ThreadView } from '../../client/sdk/index.ts';
import { eventually } from './wait.ts';

/** One SDK reader following a thread, with what the SDK handed the app. */
export interface Viewer {
  client: ThreadlineClient;
  view: ThreadView;
  /** Ids of every `comment.created` event the app got, in order (a repeat here is a comment shown twice). */
  created: string[];
  resets: string[];
  /** How often its connection went down. */
  downs: number;
}

/** `count` SDK readers of `threadId`, each on `urls[i % urls.length]`, joined (first page loaded, live). */
export async function watchThread(
  urls: string[],
  threadId: string,
  count: number,
  options: Partial<ConnectOptions> = {},
): Promise<Viewer[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const created: string[] = [];
      const resets: string[] = [];
      const state = { downs: 0 };
      const client = connect({
        url: urls[i % urls.length]!,
        ...options,
        onConnectionChange: (up) => {
          if (!up) state.downs++;
          options.onConnectionChange?.(up);
        },
      });
      try {
        const view = await client.joinThread(threadId, {
          onEvent: (e) => {
            if (e.type === 'comment.created') created.push(e.comment.id);
          },
          onReset: (comments, why) => {
            resets.push(why);
            // After a reload the app starts again from the page it was handed.
            created.splice(0, created.length, ...comments.map((c) => c.id));
          },
        });
        return {
          client,
          view,
          created,
          resets,
          get downs() {
            return state.downs;
          },
        };
      } catch (err) {
        client.close();
        throw err;
      }
    }),
  );
}

export function closeViewers(viewers: Viewer[]): void {
  for (const v of viewers) v.client.close();
}

/** Ids that occur more than once. */
export function repeats(ids: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(ids.filter((id) => seen.has(id) || !seen.add(id)))];
}

/**
 * Every viewer ends holding exactly `ids`: none missing, none extra, none twice (in what the view
 * holds and in what it handed the app since its last reset). Compares sets of ids, not counts.
 */
export async function expectEveryViewerHolds(viewers: Viewer[], ids: string[], timeoutMs = 15_000): Promise<void> {
  const want = [...ids].sort();
  expect(repeats(want), 'the expected ids themselves').toEqual([]);
  await eventually(
    () => {
      const wrong = viewers
        .map((v, i) => {
          const held = v.view.comments.map((c) => c.id);
          const wantSet = new Set(want);
          const heldSet = new Set(held);
          return {
            viewer: i,
            missing: want.filter((id) => !heldSet.has(id)),
            extra: held.filter((id) => !wantSet.has(id)),
            heldTwice: repeats(held),
            shownTwice: repeats(v.created),
          };
        })
        .filter((r) => r.missing.length + r.extra.length + r.heldTwice.length + r.shownTwice.length > 0);
      expect(wrong, `viewers whose comments differ from the ${want.length} stored`).toEqual([]);
    },
    timeoutMs,
    100,
  );
}
