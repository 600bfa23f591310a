import type { Thread } from '../../contract/index.ts';
import type { Deps } from '../context.ts';

/** The ports this use case uses. */
export type GetThreadDeps = Pick<Deps, 'store'>;

/** A thread nobody has written to yet reads as empty (offset 0), so widgets load on new articles. */
export async function getThread(deps: GetThreadDeps, threadId: string): Promise<{ thread: Thread }> {
  return { thread: await deps.store.threads.get(threadId) };
}
