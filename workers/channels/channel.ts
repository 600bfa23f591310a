import type { ChannelPreferences, NotificationChannel, UserRef } from '../../contract/index.ts';
import type { Config } from '../../server/config.ts';
import type { CoreDeps } from '../../server/context.ts';
import type { DeliveryJob, MessageRef } from '../../server/jobs/queues.ts';
import type { CurrentMessage } from '../notify/message.ts';

/**
 * What a channel's sender may use (config, the store for the message's current text, the business clock):
 * a worker process has only CoreDeps, and no channel needs its queues, feed or emitter.
 */
export type ChannelDeps = Pick<CoreDeps, 'config' | 'store' | 'now'>;

/** A recipient as the store knows them when a message is queued. */
export interface Contact extends UserRef {
  /** From the host site's token; null when it gave none. */
  email: string | null;
}

/** One message for one recipient, before a channel turns it into its job. */
export interface Outgoing {
  recipient: Contact;
  ref: MessageRef;
  /**
   * Names the message (a notification id, or a window's digest key). Stable
   * across re-runs: it is in the job id, so queueing the message again adds
   * nothing, and channels use it as the receiver-visible message id.
   */
  messageKey: string;
}

/** A channel opened by a worker process: what its delivery worker calls per job. */
export interface Sender<J extends MessageRef> {
  /**
   * Sends one job, rendered from `message`: the comments as they are at that
   * moment. The delivery worker reads it (currentMessage in notify/message.ts,
   * the privacy re-check) before every attempt, for every channel, and drops a
   * job with nothing left to send without calling this. Throws to have BullMQ retry.
   */
  deliver(job: J, message: CurrentMessage): Promise<unknown>;
  close?(): void;
}

/**
 * One out-of-band notification channel. Each lives in one file here and is
 * registered in index.ts; notify, out-of-band and digest only iterate the
 * list. Its queue is `notify-<name>` with the shared delivery retries
 * (server/jobs/queues.ts), and its preference is the field `<name>`.
 */
export interface Channel<J extends MessageRef = DeliveryJob> {
  name: NotificationChannel;
  /** Configured on this site (the enqueue side and the worker side both ask). */
  enabled(config: Config): boolean;
  /** Whether this recipient gets messages on this channel. */
  wants(prefs: ChannelPreferences, recipient: Contact): boolean;
  /** The job payload: ids only, never the comment text (it is read at send time). */
  job(message: Outgoing): J;
  /** The provider's throttle, shared by every worker process through Redis. */
  limiter?(config: Config): { max: number; duration: number };
  /** Called once per worker process when the channel is enabled. */
  open(deps: ChannelDeps): Sender<J>;
}

/**
 * Lets the registry hold channels with different job types: a channel's
 * `deliver` only ever receives jobs its own `job` built (its own queue).
 */
export const defineChannel = <J extends MessageRef>(channel: Channel<J>): Channel => channel as unknown as Channel;
