import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../server/bootstrap/redis.ts';

/**
 * A TCP load balancer on loopback, like the nginx in docker-compose: new
 * connections go round-robin to backends that accept them, so when one
 * instance dies its clients reconnect to the others through the same URL.
 */
export class Balancer {
  private server: Server | undefined;
  private next = 0;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly backends: () => number[]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((client) => this.route(client, 0));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  private route(client: Socket, tried: number): void {
    const ports = this.backends();
    if (ports.length === 0 || tried >= ports.length) {
      client.destroy();
      return;
    }
    const port = ports[this.next++ % ports.length]!;
    const upstream = createConnection(port, '127.0.0.1');
    client.pause();
    upstream.once('connect', () => {
      this.sockets.add(client);
      this.sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    upstream.once('error', () => {
      if (!this.sockets.has(upstream)) this.route(client, tried + 1);
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
