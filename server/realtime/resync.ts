import { rooms } from '../../client/contract/index.ts';
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
  for (const threadId of threadIds) {
    const thread = await deps.store.threads.get(threadId);
    io.local.to(rooms.thread(threadId)).emit('thread:sync', { threadId, offset: thread.offset, epoch: thread.epoch });
  }
}
