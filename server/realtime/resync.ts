import { setTimeout as sleep } from 'node:timers/promises';
import { rooms } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import { isThreadRoom, threadIdOfRoom } from './subscriptions.ts';
import type { IoServer } from './types.ts';

/**
 * After this server's Redis subscription was interrupted, live events may
 * have been published while nobody here listened. Tell every local viewer
 * where each thread is now; clients behind that position re-join with
 * `since` and recover what they missed.
 */
export async function announceThreadPositions(io: IoServer, deps: Deps): Promise<void> {
  const threadIds = [...io.of('/').adapter.rooms.keys()].filter(isThreadRoom).map(threadIdOfRoom);
  // Batches in flight at once: one round trip per batch instead of per thread,
  // without queueing thousands of replies after a Redis blip.
  for (let i = 0; i < threadIds.length; i += BATCH) {
    const batch = threadIds.slice(i, i + BATCH);
    const threads = await Promise.all(batch.map((id) => deps.store.threads.get(id)));
    batch.forEach((threadId, j) => {
      const { offset, epoch } = threads[j]!;
      io.local.to(rooms.thread(threadId)).emit('thread:sync', { threadId, offset, epoch });
    });
  }
}

const BATCH = 200;

/**
 * Announces after the subscription came back. The command connection may
 * still be reconnecting at that moment (its reads fail fast), so a failed
 * attempt is retried with growing pauses, about 15 s in all.
 */
export async function announceAfterResubscribe(io: IoServer, deps: Deps): Promise<void> {
  for (let pauseMs = 250; ; pauseMs *= 2) {
    try {
      return await announceThreadPositions(io, deps);
    } catch (err) {
      if (pauseMs > 8_000) throw err;
      await sleep(pauseMs, undefined, { ref: false });
    }
  }
}
