import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../server/bootstrap/redis.ts';

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

/**
 * A real SMTP server on loopback that keeps what it accepts. `stall` makes it
 * hold the next message without answering (a mail server hanging mid-send).
 */
export class TestSmtp {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private stallNext = 0;
  /** Messages that arrived while stalled (never accepted). */
  stalledMessages = 0;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  stall(count = 1): void {
    this.stallNext += count;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const stalled = this.stallNext > 0;
        if (stalled) {
          this.stallNext--;
          this.stalledMessages++;
        }
        simpleParser(stream).then((parsed) => {
          if (stalled) return; // never answer: the sender waits until it gives up or dies
          this.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
          callback();
        }, callback);
      },
    });
    // A sender killed mid-message resets its connection; that is a test scenario, not a failure.
    this.server.on('error', () => {});
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.envelopeTo.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
