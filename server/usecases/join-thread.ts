import type { EventResponse, StreamPosition, Thread, ThreadEvent } from '../../contract/index.ts';
import type { Deps, Origin } from '../context.ts';

/** The ports this use case uses. */
export type JoinThreadDeps = Pick<Deps, 'config' | 'store' | 'recoveryBudget'>;

export type JoinResult = EventResponse<'thread:join'>;

/**
 * Joins a thread's live stream and, given where the client left off, returns
 * exactly the events it missed - or `recovered: false` so it reloads.
 *
 * `subscribe` runs before the thread's state is read: an event published
 * while we read is then both in `missed` (or after `offset`) and delivered
 * live, never in neither. Clients drop the repeat by offset.
 */
export async function joinThread(
  deps: JoinThreadDeps,
  input: { threadId: string; since?: StreamPosition | undefined },
  subscribe: () => Promise<void> | void,
  origin: Origin = { ip: undefined },
): Promise<JoinResult> {
  await subscribe();
  const thread = await deps.store.threads.get(input.threadId);
  const base = { thread, offset: thread.offset, epoch: thread.epoch };
  if (!input.since) return { ...base, recovered: false, missed: [] };
  const missed = await recover(deps, thread, input.since, origin.ip ?? 'unknown');
  return missed ? { ...base, recovered: true, missed } : { ...base, recovered: false, missed: [] };
}

/**
 * Every event after `since.offset` up to the thread's current offset, in
 * order, or null when that cannot be given whole (Centrifugo's rule: the epoch
 * must match and every missing offset must still be in the log). Each event
 * carries its comment as readers may see it now, not as it was then.
 *
 * Recovery is bounded in events and bytes: one join must not make the server
 * send megabytes. Beyond the bounds the client reloads a page over REST,
 * which costs it the same as a first visit. The bytes also count against the
 * client address's RECOVERY_BYTES_PER_MINUTE, so re-joining in a loop does
 * not multiply the per-join bound.
 */
async function recover(deps: JoinThreadDeps, thread: Thread, since: StreamPosition, ip: string): Promise<ThreadEvent[] | null> {
  // A client that has seen nothing cannot be inconsistent, whatever epoch it holds.
  if (since.offset !== 0 && since.epoch !== thread.epoch) return null;
  if (since.offset > thread.offset) return null;
  const count = thread.offset - since.offset;
  if (count === 0) return [];
  if (count > Math.min(deps.config.recovery.maxEvents, deps.config.history.maxEvents)) return null;
  const budget = await deps.recoveryBudget.remaining(ip);
  if (budget <= 0) return null;
  const maxBytes = Math.min(deps.config.recovery.maxBytes, budget);
  const missed = await deps.store.threads.recover(thread.id, { epoch: thread.epoch, after: since.offset, upTo: thread.offset, maxBytes });
  if (missed) await deps.recoveryBudget.spend(ip, Buffer.byteLength(JSON.stringify(missed)));
  return missed;
}
