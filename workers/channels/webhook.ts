import { processWebhook, webhookSigner, type WebhookJob } from '../webhook/processor.ts';
import { defineChannel } from './channel.ts';

/** A signed POST (Standard Webhooks) to NOTIFY_WEBHOOK_URL, where the host site takes it on. */
export const webhook = defineChannel<WebhookJob>({
  name: 'webhook',
  enabled: (config) => Boolean(config.notify.webhookUrl),
  wants: (prefs) => prefs.webhook,
  job: ({ ref, messageKey }) => ({ ...ref, webhookId: messageKey }),
  open(deps) {
    // config.ts refuses a webhook URL without a secret; this only guards a config built by hand.
    const secret = deps.config.notify.webhookSecret;
    if (!secret) throw new Error('NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set');
    const signer = webhookSigner(secret);
    return { deliver: (job, message) => processWebhook(deps, signer, job, message) };
  },
});
