import type { Transporter } from 'nodemailer';
import type { CoreDeps } from '../../server/context.ts';
import type { MessageRef } from '../../server/jobs/queues.ts';
import { digestOf, type CurrentMessage } from '../notify/message.ts';
import { renderDigestEmail, renderNotificationEmail, type RenderedEmail } from './render.ts';

/** What this processor uses. */
export type EmailDeps = Pick<CoreDeps, 'config' | 'store'>;

export interface EmailJob extends MessageRef {
  /** Stable per message: the Message-ID, and the key that stops a re-run job sending twice. */
  messageId: string;
  to: string;
}

export function emailFor(m: CurrentMessage): RenderedEmail {
  if (m.kind === 'notification') return renderNotificationEmail(m.items[0]!);
  return renderDigestEmail(digestOf(m.items).summary, m.items);
}

/**
 * Sends one email, rendered from `message`, the comments as they are now
 * (read by the delivery worker): one removed, deleted or held since the job
 * was queued is left out. The Message-ID is fixed per
 * notification, and a message the SMTP server accepted is recorded, so a job
 * re-run after a crash does not send it again. (A crash in the instant
 * between the SMTP server's acceptance and that record can still repeat a
 * message; its Message-ID lets mail clients fold the two.)
 */
export async function processEmail(
  deps: EmailDeps,
  transport: Transporter,
  job: EmailJob,
  message: CurrentMessage,
): Promise<'sent' | 'already-sent'> {
  const { notifications } = deps.store;
  if (await notifications.emailSent(job.recipientId, job.messageId)) return 'already-sent';
  const { subject, text, html } = emailFor(message);
  await transport.sendMail({
    from: deps.config.notify.emailFrom,
    to: job.to,
    subject,
    text,
    html,
    messageId: `<${job.messageId}@threadline>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
  });
  await notifications.markEmailSent(job.recipientId, job.messageId);
  return 'sent';
}
