import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../server/bootstrap/redis.ts';

/**
 * A TCP proxy that holds every byte sent towards the target for `delayMs`
 * (order kept): a slow network link on loopback, to make races that real
 * networks produce show up in tests every time. `cut()` drops every
 * connection and refuses new ones until `heal()`: an outage of this link
 * alone, while other connections to the target stay up. `drop()` is a
 * partition that says nothing: connections stay open (and new ones are
 * accepted) but no byte crosses either way until `heal()`, as when packets
 * are lost; what was sent meanwhile is gone.
 */
export class SlowLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private down = false;
  private dropping = false;
  port = 0;

  constructor(
    private readonly targetPort: number,
    public delayMs: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = createConnection(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      const forward = (to: Socket, chunk: Buffer) => {
        if (!this.dropping) to.write(chunk);
      };
      client.on('data', (chunk: Buffer) =>
        this.delayMs > 0 ? setTimeout(() => forward(upstream, chunk), this.delayMs) : forward(upstream, chunk),
      );
      upstream.on('data', (chunk: Buffer) => forward(client, chunk));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** Drops every open connection and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Keeps connections open but lets nothing through, either way. */
  drop(): void {
    this.dropping = true;
  }

  heal(): void {
    this.down = false;
    this.dropping = false;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
