import type { Transporter } from 'nodemailer';
import type { Deps } from '../../server/context.ts';
import type { EmailJob } from '../queues.ts';

/**
 * Sends one email. The Message-ID is fixed per notification, and a message
 * the SMTP server accepted is recorded, so a job re-run after a crash does
 * not send it again. (A crash in the instant between the SMTP server's
 * acceptance and that record can still repeat a message; its Message-ID lets
 * mail clients fold the two.)
 */
export async function processEmail(deps: Deps, transport: Transporter, job: EmailJob): Promise<'sent' | 'already-sent'> {
  const { notifications } = deps.store;
  if (await notifications.emailSent(job.recipientId, job.messageId)) return 'already-sent';
  await transport.sendMail({
    from: deps.config.notify.emailFrom,
    to: job.to,
    subject: job.subject,
    text: job.text,
    html: job.html,
    messageId: `<${job.messageId}@threadline>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
  });
  await notifications.markEmailSent(job.recipientId, job.messageId);
  return 'sent';
}
