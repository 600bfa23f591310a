import { Queue, Worker, type Job, type WorkerOptions } from 'bullmq';
import { duplicateAs, logConnectionErrors } from '../server/store/redis.ts';
import type { CoreDeps } from '../server/context.ts';
import { channels } from './channels/index.ts';
import type { Sender } from './channels/channel.ts';
import { currentMessage } from './notify/message.ts';
import { processDigest } from './digest/processor.ts';
import { processNotify } from './notify/processor.ts';
import { sweepOutbox } from './outbox/sweep.ts';
import {
  QUEUE_NAMES,
  channelQueueName,
  type DeliveryJob,
  type DigestJob,
  type NotifyJob,
  type OutboxSweepJob,
} from '../server/jobs/queues.ts';
import { ScreenStream } from '../server/store/screen-stream.ts';
import { startScreenLoop } from './screen/stream.ts';
import { ignore } from '../server/domain/ignore.ts';

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs, lets the running ones finish, closes connections. */
  close(): Promise<void>;
}

/** The `channel` label of a queue's delivery metrics; a channel's queue is labelled with the channel's name. */
const CHANNEL: Record<string, string> = {
  [QUEUE_NAMES.notify]: 'inbox',
  ...Object.fromEntries(channels.map((c) => [channelQueueName(c.name), c.name])),
  [QUEUE_NAMES.digest]: 'digest',
  [QUEUE_NAMES.outbox]: 'outbox',
};

/**
 * One attempt of a channel's job: the privacy re-check, done here once for
 * every channel. The message is read from the comments as they are now (see
 * notify/message.ts); with nothing left to send it is dropped, not sent.
 */
async function deliverCurrent(deps: CoreDeps, sender: Sender<DeliveryJob>, job: DeliveryJob): Promise<unknown> {
  const message = await currentMessage(deps, job);
  return message ? sender.deliver(job, message) : 'dropped';
}

/**
 * Starts a worker per queue. Workers run wherever this is called (inside
 * `npm start`, or alone with `npm run workers`), as many processes as you
 * like: BullMQ hands each job to one of them, and a job whose worker died is
 * picked up again after WORKER_LOCK_MS (its processing is idempotent).
 */
export async function startWorkers(deps: CoreDeps): Promise<RunningWorkers> {
  const { config, log, metrics } = deps;
  // Workers block on Redis and must wait out outages rather than fail; on the Redis (or Cluster) the store uses.
  const connection = duplicateAs(deps.store.redis, 'worker');
  logConnectionErrors(connection, log, 'workers redis connection error');
  const common: WorkerOptions = {
    connection,
    prefix: deps.queues.prefix,
    concurrency: config.workers.concurrency,
    lockDuration: config.workers.lockMs,
    stalledInterval: config.workers.lockMs,
    maxStalledCount: 2,
  };

  const workers: Worker[] = [
    new Worker<NotifyJob>(QUEUE_NAMES.notify, (job) => processNotify(deps, job.data), common),
    new Worker<DigestJob>(QUEUE_NAMES.digest, (job) => processDigest(deps, job.data), common),
    new Worker<OutboxSweepJob>(QUEUE_NAMES.outbox, () => sweepOutbox(deps), { ...common, concurrency: 1 }),
  ];
  // A channel gets a worker only where it is configured; its jobs wait in its queue otherwise.
  const opened = channels.filter((c) => c.enabled(config)).map((c) => ({ channel: c, sender: c.open(deps) }));
  for (const { channel: c, sender } of opened) {
    const limiter = c.limiter?.(config);
    workers.push(
      new Worker<DeliveryJob>(channelQueueName(c.name), (job) => deliverCurrent(deps, sender, job.data), {
        ...common,
        ...(limiter ? { limiter } : {}),
      }),
    );
  }
  const delivering = new Set<string>(channels.map((c) => c.name));

  for (const worker of workers) {
    const channel = CHANNEL[worker.name] ?? worker.name;
    worker.on('failed', (job: Job | undefined, err: Error) => {
      const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : false;
      metrics.deliveryFailures.inc({ channel, final: String(final) });
      log[final ? 'error' : 'warn'](
        { queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        final ? 'job failed for good' : 'job failed; will retry',
      );
    });
    worker.on('completed', (job: Job) => {
      // A message dropped because its comments were removed meanwhile was not delivered.
      if (delivering.has(channel) && job.returnvalue !== 'dropped') {
        metrics.deliveries.inc({ channel, kind: String(job.id).includes('digest_') ? 'digest' : 'single' });
      }
    });
    worker.on('error', (err: Error) => log.error({ queue: worker.name, err: err.message }, 'worker error'));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // One schedule shared by every worker process (upserting it again changes nothing), made over
  // the workers' own connection, which waits out a Redis outage instead of failing the start.
  const scheduler = new Queue<OutboxSweepJob>(QUEUE_NAMES.outbox, { connection, prefix: deps.queues.prefix });
  // Its connection is the workers' own, whose errors are logged above; without a listener BullMQ prints each one.
  scheduler.on('error', ignore);
  await scheduler.upsertJobScheduler(
    'outbox-sweep',
    { every: config.outbox.sweepMs },
    { name: 'sweep', data: {}, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
  );
  // Screening reads new comments in batches from a stream (see ScreenJob), on a blocking connection of its own.
  const screenConnection = connection.duplicate();
  logConnectionErrors(screenConnection, log, 'screening redis connection error');
  const screening = startScreenLoop(deps, new ScreenStream(screenConnection, deps.store.keys.screening.stream));
  log.info({ queues: [...workers.map((w) => w.name), 'screen (stream)'] }, 'workers started');

  return {
    workers,
    async close() {
      await Promise.all([...workers.map((w) => w.close()), screening.close()]);
      await screenConnection.quit().catch(() => screenConnection.disconnect());
      await scheduler.close();
      for (const { sender } of opened) sender.close?.();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
