import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the Standard Webhooks signature verified with the shared secret. */
  verified: boolean;
  status: number;
}

/**
 * A real HTTP endpoint that records webhooks and answers with whatever `respond` says; a promise
 * holds the answer back (an endpoint that hangs), and the hook is recorded once it is answered.
 */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  respond: (body: string) => number | Promise<number> = () => 204;
  private server: Server | undefined;
  private readonly verifier: Webhook;
  port = 0;

  constructor(secret: string) {
    this.verifier = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(Buffer.from(secret).toString('base64'));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/threadline`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        let verified: boolean;
        try {
          this.verifier.verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
        void Promise.resolve(this.respond(body)).then((status) => {
          this.received.push({ headers: req.headers, body, verified, status });
          res.writeHead(status).end();
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
