import { Webhook } from 'standardwebhooks';
import type { WebhookPayload } from '../../contract/index.ts';
import type { CoreDeps } from '../../server/context.ts';
import type { MessageRef } from '../../server/jobs/queues.ts';
import { digestOf, type CurrentMessage } from '../notify/message.ts';

/** What this processor uses. */
export type WebhookDeps = Pick<CoreDeps, 'config' | 'now'>;

export interface WebhookJob extends MessageRef {
  /** Stable per message: the `webhook-id` header on every attempt. */
  webhookId: string;
}

export function webhookFor(m: CurrentMessage): WebhookPayload {
  if (m.kind === 'notification') return { type: 'notification', recipient: m.recipient, notification: m.items[0]! };
  const { threads, summary } = digestOf(m.items);
  return {
    type: 'digest',
    recipient: m.recipient,
    summary,
    count: m.items.length,
    threads,
    notifications: m.items,
  };
}

/** Standard Webhooks secrets look like `whsec_<base64>`; any other secret is used as raw bytes. */
export function webhookSigner(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
}

class WebhookRejected extends Error {}

/**
 * POSTs one notification to NOTIFY_WEBHOOK_URL, signed per Standard Webhooks:
 * `webhook-id` (the same on every retry, so receivers can drop repeats),
 * `webhook-timestamp`, and `webhook-signature` = v1,HMAC-SHA256(id.timestamp.body).
 * Any non-2xx answer or a timeout throws, and BullMQ retries with backoff.
 * The body is rendered per attempt from `message`, the comments as they are
 * then (read by the delivery worker: a retry after an edit sends the new text).
 */
export async function processWebhook(deps: WebhookDeps, signer: Webhook, job: WebhookJob, message: CurrentMessage): Promise<number> {
  const url = deps.config.notify.webhookUrl!;
  const body = JSON.stringify(webhookFor(message));
  const sentAt = deps.now();
  const signature = signer.sign(job.webhookId, sentAt, body);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Threadline-Webhooks/1',
      'webhook-id': job.webhookId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
    signal: AbortSignal.timeout(deps.config.notify.webhookTimeoutMs),
    redirect: 'manual',
  });
  await res.body?.cancel();
  if (res.status < 200 || res.status > 299) throw new WebhookRejected(`webhook receiver answered ${res.status}`);
  return res.status;
}
