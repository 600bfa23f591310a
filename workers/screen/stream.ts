import { randomBytes } from 'node:crypto';
import type { CoreDeps } from '../../server/context.ts';
import type { ScreenEntry, ScreenStream } from '../../server/store/screen-stream.ts';
import { processScreen, type ScreenDeps } from './processor.ts';

/** What the loop uses besides screening's own ports. */
export type ScreenLoopDeps = ScreenDeps & Pick<CoreDeps, 'log' | 'metrics'>;

/** As many tries as a screening job had. */
const MAX_DELIVERIES = 5;
/** How long a read waits for new comments before the loop looks at stale entries and at whether to stop (so: how long `close` may wait). */
const BLOCK_MS = 1_000;

export interface ScreenLoop {
  /** Stops reading, lets the batch in hand finish. */
  close(): Promise<void>;
}

/**
 * Screens new comments in batches from the screening stream: one blocking
 * read gives up to WORKER_CONCURRENCY comments, screened at once, then
 * acknowledged together. A comment whose screening failed stays pending and is
 * retried (by any workers process) once idle for WORKER_LOCK_MS, up to
 * MAX_DELIVERIES times; so is every comment of a process that died mid-batch.
 */
export function startScreenLoop(deps: ScreenLoopDeps, stream: ScreenStream): ScreenLoop {
  const consumer = `screen-${randomBytes(6).toString('hex')}`;
  const { concurrency, lockMs } = deps.config.workers;
  let stopping = false;
  let lastClaim = 0;

  async function screen(entries: ScreenEntry[]): Promise<void> {
    const settled = await Promise.allSettled(entries.map((e) => processScreen(deps, e)));
    const done: string[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') return void done.push(entries[i]!.id);
      deps.metrics.deliveryFailures.inc({ channel: 'screening', final: 'false' });
      deps.log.warn({ queue: 'screen', commentId: entries[i]!.commentId, err: String(s.reason) }, 'screening failed; will retry');
    });
    await stream.done(done);
  }

  async function loop(): Promise<void> {
    await stream.ensureGroup();
    while (!stopping) {
      try {
        if (Date.now() - lastClaim >= lockMs / 2) {
          lastClaim = Date.now();
          const { retry, expired } = await stream.claimStale(consumer, lockMs, MAX_DELIVERIES, concurrency);
          for (const id of expired) {
            deps.metrics.deliveryFailures.inc({ channel: 'screening', final: 'true' });
            deps.log.error({ queue: 'screen', entry: id, attempts: MAX_DELIVERIES }, 'job failed for good');
          }
          await stream.done(expired);
          if (retry.length) await screen(retry);
        }
        const entries = await stream.read(consumer, concurrency, BLOCK_MS);
        if (entries.length) await screen(entries);
      } catch (err) {
        if (stopping) return;
        deps.log.error({ queue: 'screen', err: String(err) }, 'worker error');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  const running = loop().catch((err: unknown) => deps.log.error({ queue: 'screen', err: String(err) }, 'screening stopped'));
  return {
    async close() {
      // The read in progress returns within BLOCK_MS; the batch in hand is screened and acknowledged first.
      stopping = true;
      await running;
    },
  };
}
