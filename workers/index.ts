import { Queue, Worker, type Job, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import nodemailer, { type Transporter } from 'nodemailer';
import { logConnectionErrors } from '../server/store/redis.ts';
import type { CoreDeps } from '../server/context.ts';
import { processDigest } from './digest/processor.ts';
import { processEmail } from './email/processor.ts';
import { processNotify } from './notify/processor.ts';
import { sweepOutbox } from './outbox/sweep.ts';
import { QUEUE_NAMES, type DigestJob, type EmailJob, type NotifyJob, type OutboxSweepJob, type ScreenJob, type WebhookJob } from '../server/jobs/queues.ts';
import { processScreen } from './screen/processor.ts';
import { processWebhook, webhookSigner } from './webhook/processor.ts';

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs, lets the running ones finish, closes connections. */
  close(): Promise<void>;
}

const CHANNEL: Record<string, string> = {
  [QUEUE_NAMES.notify]: 'inbox',
  [QUEUE_NAMES.email]: 'email',
  [QUEUE_NAMES.webhook]: 'webhook',
  [QUEUE_NAMES.digest]: 'digest',
  [QUEUE_NAMES.screen]: 'screening',
  [QUEUE_NAMES.outbox]: 'outbox',
};

/**
 * Starts a worker per queue. Workers run wherever this is called (inside
 * `npm start`, or alone with `npm run workers`), as many processes as you
 * like: BullMQ hands each job to one of them, and a job whose worker died is
 * picked up again after WORKER_LOCK_MS (its processing is idempotent).
 */
export async function startWorkers(deps: CoreDeps, redisUrl: string): Promise<RunningWorkers> {
  const { config, log, metrics } = deps;
  // Workers block on Redis and must wait out outages rather than fail.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null, connectTimeout: 3_000 });
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
    new Worker<ScreenJob>(QUEUE_NAMES.screen, (job) => processScreen(deps, job.data), common),
    new Worker<OutboxSweepJob>(QUEUE_NAMES.outbox, () => sweepOutbox(deps), { ...common, concurrency: 1 }),
  ];
  if (config.notify.webhookUrl && config.notify.webhookSecret) {
    const signer = webhookSigner(config.notify.webhookSecret);
    workers.push(new Worker<WebhookJob>(QUEUE_NAMES.webhook, (job) => processWebhook(deps, signer, job.data), common));
  }
  let transport: Transporter | undefined;
  if (config.notify.smtpUrl) {
    const smtp = new URL(config.notify.smtpUrl);
    // Bounded SMTP waits: a stuck mail server fails the attempt (and BullMQ retries) instead of holding the job.
    for (const [k, v] of Object.entries({ connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '20000' })) {
      if (!smtp.searchParams.has(k)) smtp.searchParams.set(k, v);
    }
    const mailer = nodemailer.createTransport(smtp.toString());
    transport = mailer;
    workers.push(
      new Worker<EmailJob>(QUEUE_NAMES.email, (job) => processEmail(deps, mailer, job.data), {
        ...common,
        // The provider's throttle, shared by every worker process through Redis.
        limiter: { max: config.notify.emailsPerSecond, duration: 1_000 },
      }),
    );
  }

  for (const worker of workers) {
    const channel = CHANNEL[worker.name] ?? worker.name;
    worker.on('failed', (job: Job | undefined, err: Error) => {
      const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : false;
      metrics.deliveryFailures.inc({ channel, final: String(final) });
      log[final ? 'error' : 'warn']({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, final ? 'job failed for good' : 'job failed; will retry');
    });
    worker.on('completed', (job: Job) => {
      // A message dropped because its comments were removed meanwhile was not delivered.
      if ((channel === 'email' || channel === 'webhook') && job.returnvalue !== 'dropped') {
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
  scheduler.on('error', () => {});
  await scheduler.upsertJobScheduler('outbox-sweep', { every: config.outbox.sweepMs }, { name: 'sweep', data: {}, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } });
  log.info({ queues: workers.map((w) => w.name) }, 'workers started');

  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await scheduler.close();
      transport?.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
