import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../server/bootstrap/redis.ts';

type Direction = 'requests' | 'replies';

/**
 * A TCP proxy that holds every byte sent towards the target for `delayMs`
 * (order kept): a slow network link on loopback, to make races that real
 * networks produce show up in tests every time. `cut()` drops every
 * connection and refuses new ones until `heal()`: an outage of this link
 * alone, while other connections to the target stay up. `hold()` is a
 * partition that says nothing: connections stay open, but the bytes of the
 * held direction(s) wait (as TCP retransmits through a network that drops
 * packets) until `heal()` lets them through in order.
 */
export class SlowLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly flushers = new Set<() => void>();
  private down = false;
  private readonly held = { requests: false, replies: false };
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
      const waiting: { to: Socket; chunk: Buffer }[] = [];
      const flush = () => {
        for (const { to, chunk } of waiting.splice(0)) to.write(chunk);
      };
      this.flushers.add(flush);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          this.flushers.delete(flush);
          client.destroy();
          upstream.destroy();
        });
      }
      const forward = (to: Socket, chunk: Buffer, dir: Direction) => {
        if (this.held[dir] || waiting.length > 0) waiting.push({ to, chunk });
        else to.write(chunk);
      };
      client.on('data', (chunk: Buffer) =>
        this.delayMs > 0 ? setTimeout(() => forward(upstream, chunk, 'requests'), this.delayMs) : forward(upstream, chunk, 'requests'),
      );
      upstream.on('data', (chunk: Buffer) => forward(client, chunk, 'replies'));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** Drops every open connection and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Keeps connections open but lets nothing through in `directions` (both by default) until `heal()`. */
  hold(directions: Direction[] = ['requests', 'replies']): void {
    for (const d of directions) this.held[d] = true;
  }

  heal(): void {
    this.down = false;
    this.held.requests = false;
    this.held.replies = false;
    for (const flush of this.flushers) flush();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
