import type { Thread } from '../../contract/index.ts';
import type { Deps } from '../context.ts';

/** A thread nobody has written to yet reads as empty (offset 0), so widgets load on new articles. */
export async function getThread(deps: Deps, threadId: string): Promise<{ thread: Thread }> {
  return { thread: await deps.store.threads.get(threadId) };
}
