import nodemailer from 'nodemailer';
import { processEmail, type EmailJob } from '../email/processor.ts';
import { defineChannel } from './channel.ts';

/** Email through SMTP_URL to the address in the recipient's token, at most NOTIFY_EMAIL_PER_SECOND. */
export const email = defineChannel<EmailJob>({
  name: 'email',
  enabled: (config) => Boolean(config.notify.smtpUrl),
  wants: (prefs, recipient) => prefs.email && Boolean(recipient.email),
  // wants() let through only recipients with an address.
  job: ({ ref, messageKey, recipient }) => ({ ...ref, messageId: messageKey, to: recipient.email ?? '' }),
  limiter: (config) => ({ max: config.notify.emailsPerSecond, duration: 1_000 }),
  open(deps) {
    const smtp = new URL(deps.config.notify.smtpUrl ?? '');
    // Bounded SMTP waits: a stuck mail server fails the attempt (and BullMQ retries) instead of holding the job.
    for (const [k, v] of Object.entries({ connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '20000' })) {
      if (!smtp.searchParams.has(k)) smtp.searchParams.set(k, v);
    }
    const transport = nodemailer.createTransport(smtp.toString());
    return { deliver: (job, message) => processEmail(deps, transport, job, message), close: () => transport.close() };
  },
});
