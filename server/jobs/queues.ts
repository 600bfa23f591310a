import { createHash } from 'node:crypto';
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { NOTIFICATION_CHANNELS, type Comment, type NotificationChannel, type NotificationKind } from '../../contract/index.ts';
import type { Config } from '../config.ts';
import { ignore } from '../domain/ignore.ts';

/**
 * The queues between the server and the workers, their job payloads and the
 * options every job of a queue gets (one place, like Coral's Task). Job ids
 * are derived from what the job is about, so adding the same job twice (a
 * retried post, a re-run parent job) adds it once.
 */
export const QUEUE_NAMES = {
  notify: 'notify',
  digest: 'notify-digest',
  outbox: 'outbox-sweep',
} as const;

export interface NotifyJob {
  threadId: string;
  commentId: string;
  /** posted: a new comment; edited: new mentions may have appeared; approved: published by a moderator. */
  reason: 'posted' | 'edited' | 'approved';
}

/** Each notification channel's delivery queue (notify-email, notify-webhook): one per channel in the contract's list. */
export const channelQueueName = (channel: NotificationChannel) => `notify-${channel}`;

/**
 * A comment to screen for abuse. Not a BullMQ job: screening reads new
 * comments in batches from one stream (workers/screen/stream.ts), one XADD per
 * comment instead of a job's ~50 Redis commands (add, take, lock, complete,
 * trim). The stream's consumer group keeps what mattered of BullMQ here: an
 * entry is acknowledged only once screened, and one left unacknowledged (a
 * failure, a crashed worker) is taken again after WORKER_LOCK_MS, up to
 * five times (as the job was).
 */
export interface ScreenJob {
  threadId: string;
  commentId: string;
}

/**
 * What a channel's message (an email, a webhook) is about: notification ids
 * in the recipient's inbox, never a copy of the comment. Each channel's job
 * extends it with what that channel needs (workers/channels/). The message is
 * rendered when it is sent, from the comments as they are then (see
 * workers/notify/message.ts), so a comment removed or edited while the job
 * waited is not sent as it was.
 */
export interface MessageRef {
  recipientId: string;
  kind: 'notification' | 'digest';
  notificationIds: string[];
}

/** A job in a channel's queue: a MessageRef plus that channel's own fields (its type is in its module, workers/channels/). */
export type DeliveryJob = MessageRef & Record<string, unknown>;

/** A scheduled sweep of the outbox (see workers/outbox/sweep.ts); carries nothing. */
export type OutboxSweepJob = Record<string, never>;

export interface DigestJob {
  recipientId: string;
  /** When the recipient's window ended. */
  windowEndsAt: number;
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 24);

export const jobIds = {
  notify: (commentId: string, reason: NotifyJob['reason'], offset: number) =>
    reason === 'posted' ? `notify-${hash(commentId)}` : `notify-${hash(commentId)}-${reason}-${offset}`,
  /** One job per channel and message (email-<key>, webhook-<key>): queueing a message again adds nothing. */
  delivery: (channel: NotificationChannel, messageKey: string) => `${channel}-${messageKey}`,
  digest: (recipientId: string, windowEndsAt: number) => `digest-${hash(recipientId)}-${windowEndsAt}`,
};

/** One notification per comment x recipient x kind: the id that makes delivery idempotent. */
export const notificationId = (commentId: string, recipientId: string, kind: NotificationKind) => `n_${hash(commentId, recipientId, kind)}`;

export const digestKey = (recipientId: string, windowEndsAt: number) => `digest_${hash(recipientId)}_${windowEndsAt}`;

function jobOptions(config: Config): Record<keyof typeof QUEUE_NAMES | 'delivery', DefaultJobOptions> {
  const kept = { removeOnComplete: { count: 1_000, age: 86_400 }, removeOnFail: { count: config.notify.failedKeep } };
  const delivery: DefaultJobOptions = {
    ...kept,
    attempts: config.notify.attempts,
    backoff: { type: 'exponential', delay: config.notify.backoffMs, jitter: 0.5 },
  };
  return {
    notify: { ...kept, attempts: 5, backoff: { type: 'exponential', delay: 500, jitter: 0.5 } },
    delivery,
    digest: { ...kept, attempts: 5, backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 } },
    // A failed sweep is the next sweep's work: no retries, and only a few failures kept to look at.
    outbox: { removeOnComplete: true, removeOnFail: { count: 100 }, attempts: 1 },
  };
}

export type Queues = Awaited<ReturnType<typeof createQueues>>;

/**
 * Producer handles for every queue, on their own fail-fast connection
 * (`connection`, made by the caller: store/redis.ts's 'queue' role):
 * enqueueing while Redis is down errors at once instead of queueing in
 * memory. Their own, because BullMQ defines ~50 Lua commands on its
 * connection and ioredis copies every defined command into each pipeline it
 * builds; on the request connection that made every pipeline (and
 * auto-pipelined batch) several times slower.
 */
export async function createQueues(connection: Redis | Cluster, config: Config, prefix: string, screenStream: string) {
  // Errors on this connection surface as failed adds, which the caller counts and logs (after-write.ts).
  connection.on('error', ignore);
  // BullMQ asks Redis for its version as a queue is made; with no offline queue that needs a live connection.
  await connection.connect();
  const options = jobOptions(config);
  const make = <T>(name: string, defaults: DefaultJobOptions) =>
    new Queue<T>(name, { connection, prefix, defaultJobOptions: defaults, skipWaitingForReady: true });
  // Every channel's queue exists whether or not the channel is configured, so a dashboard shows the same set everywhere.
  const channelQueues = Object.fromEntries(
    NOTIFICATION_CHANNELS.map((channel) => [channel, make<DeliveryJob>(channelQueueName(channel), options.delivery)]),
  ) as Record<NotificationChannel, Queue<DeliveryJob>>;
  const queues = {
    notify: make<NotifyJob>(QUEUE_NAMES.notify, options.notify),
    ...channelQueues,
    digest: make<DigestJob>(QUEUE_NAMES.digest, options.digest),
    outbox: make<OutboxSweepJob>(QUEUE_NAMES.outbox, options.outbox),
  };
  // Connection errors surface as failed adds (counted and logged by the caller); without a listener BullMQ prints each one.
  for (const queue of Object.values(queues)) queue.on('error', ignore);
  return {
    ...queues,
    /** The key prefix the queues live under: workers consume with the same one. */
    prefix,
    all: Object.values(queues) as Queue[],
    /**
     * After a comment was stored or edited: screen it for abuse (unless its
     * author is trusted) and tell its mentioned users and parent author.
     * `change` is the write's outbox entry (store/outbox.ts), which records both.
     */
    async commentChanged(comment: Comment, change: { reason: NotifyJob['reason']; screen: boolean }): Promise<void> {
      const { threadId, id: commentId } = comment;
      const { reason } = change;
      const jobs: Promise<unknown>[] = [];
      // Screening the same comment twice (the sweep adding what a request did add) decides the same way.
      if (change.screen) jobs.push(connection.xadd(screenStream, '*', 'threadId', threadId, 'commentId', commentId));
      if (comment.mentions.length > 0 || comment.parentId) {
        jobs.push(
          queues.notify.add('notify', { threadId, commentId, reason }, { jobId: jobIds.notify(commentId, reason, comment.offset) }),
        );
      }
      await Promise.all(jobs);
    },
    async close(): Promise<void> {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
