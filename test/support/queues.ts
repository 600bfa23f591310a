import type { Queue } from 'bullmq';
import type { RedisClient } from '../../server/store/redis.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Job states that mean "not handled yet": a worker has still to run (or re-run) the job. */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * Waits until `queue` holds no job that a worker has still to run (none
 * waiting, running, delayed for a retry, prioritized or waiting for children),
 * so a test can then assert that the jobs had no effect. Resolves with the
 * queue's job counts, completed and failed included; throws with the counts if
 * the queue is still busy after `timeoutMs`.
 */
export async function queueIdle(queue: Queue, timeoutMs = 8_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts(...PENDING_STATES, 'completed', 'failed');
    if (PENDING_STATES.every((state) => (counts[state] ?? 0) === 0)) return counts;
    if (Date.now() > deadline)
      throw new Error(`queue ${queue.name} still has jobs to run after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await sleep(25);
  }
}

/**
 * queueIdle for several queues, one after another in the order given. List a
 * queue before the queues its jobs add to (notify before digest, digest before
 * email and webhook): a queue seen idle has finished every job, so whatever
 * those jobs added downstream is already there when the next queue is checked.
 * Resolves with each queue's job counts, by queue name.
 */
export async function queuesIdle(queues: Queue[], timeoutMs = 8_000): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const queue of queues) counts[queue.name] = await queueIdle(queue, timeoutMs);
  return counts;
}

/**
 * queueIdle for the screening stream (workers/screen/stream.ts): waits until
 * its consumer group has been given every entry and acknowledged each one. A
 * comment whose screening failed stays pending (it is retried after
 * WORKER_LOCK_MS), so a failure ends here as a timeout naming the pending count.
 */
export async function screeningIdle(redis: RedisClient, stream: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
    const group = groups.map((g) => Object.fromEntries(chunks(g)) as Record<string, unknown>).find((g) => g.name === 'screen');
    const state = group ? { pending: Number(group.pending), lag: Number(group.lag) } : undefined;
    if (state && state.pending === 0 && state.lag === 0) return;
    if (Date.now() > deadline)
      throw new Error(`screening still has comments to screen after ${timeoutMs} ms: ${JSON.stringify(state ?? 'no consumer group')}`);
    await sleep(25);
  }
}

function chunks(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}
