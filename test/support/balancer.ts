import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { freePort } from '../../server/bootstrap/redis.ts';

/**
 * How an HTTP-aware balancer writes X-Forwarded-For, named after the nginx
 * variable deploy/nginx.conf sets it to: `$remote_addr` replaces whatever the
 * client sent with the client's address; `$proxy_add_x_forwarded_for` appends
 * the client's address to the client's own header.
 */
export type ForwardedFor = '$remote_addr' | '$proxy_add_x_forwarded_for';

export interface ForwardingOptions {
  xForwardedFor: ForwardedFor;
  /** The address the balancer connects to backends from: its address as the servers see it. */
  localAddress?: string;
  /**
   * Keep each Engine.IO session on the backend that opened it (default true).
   * Long-polling sends every packet as its own HTTP request, and only the
   * instance that handed out a session id knows it; false shows what a plain
   * per-request round robin does to such clients.
   */
  sticky?: boolean;
}

/**
 * A load balancer on loopback, like the nginx in docker-compose: new
 * connections go round-robin to backends that accept them, so when one
 * instance dies its clients reconnect to the others through the same URL.
 *
 * Without `forwarding` it relays TCP untouched. With it, it speaks HTTP as
 * nginx does: each request, and each websocket upgrade, reaches the backend
 * with X-Forwarded-For (per `forwarding.xForwardedFor`) and X-Forwarded-Proto
 * written from the client connection it came on. Tests give each client its
 * own address by binding it to one of 127.0.0.0/8 (`localAddress`). It is
 * sticky as deploy/nginx.conf's `ip_hash` is, but keyed on the Engine.IO
 * session id instead of the address (every test client shares 127.0.0.1): it
 * learns the `sid` from a polling handshake's answer and sends requests and
 * upgrades that carry it to the same backend.
 */
export class Balancer {
  private server: Server | undefined;
  private next = 0;
  private readonly sockets = new Set<Duplex>();
  /** Engine.IO session id -> the backend port that opened it (test lifetime only). */
  private readonly sessions = new Map<string, number>();
  port = 0;

  constructor(
    private readonly backends: () => number[],
    private readonly forwarding?: ForwardingOptions,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    if (this.forwarding) {
      const http = createHttpServer((req, res) => void this.forwardRequest(req, res));
      http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.forwardUpgrade(req, socket, head, 0));
      http.on('connection', (s: Socket) => this.track(s));
      this.server = http;
    } else {
      this.server = createServer((client) => this.route(client, 0));
    }
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  private track(s: Duplex): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private pick(tried: number, url?: string): number | undefined {
    const ports = this.backends();
    if (ports.length === 0 || tried >= ports.length) return undefined;
    // A session's backend first; if it is gone, any other answers "Session ID unknown" and the client starts over.
    const pinned = this.pinnedPort(url);
    if (tried === 0 && pinned !== undefined && ports.includes(pinned)) return pinned;
    return ports[this.next++ % ports.length]!;
  }

  /** The backend port an Engine.IO session was pinned to, if the balancer saw its handshake. */
  backendOf(sid: string): number | undefined {
    return this.sessions.get(sid);
  }

  private sid(url: string | undefined): string | null {
    return url === undefined ? null : new URL(url, 'http://balancer').searchParams.get('sid');
  }

  private pinnedPort(url: string | undefined): number | undefined {
    const sid = this.forwarding?.sticky === false ? null : this.sid(url);
    return sid ? this.sessions.get(sid) : undefined;
  }

  /** Remembers which backend a polling handshake's answer (`0{"sid":…}`) came from. */
  private learn(url: string | undefined, port: number, body: Buffer): void {
    if (this.forwarding?.sticky === false || this.sid(url)) return;
    const sid = /^0\{.*?"sid":"([^"]+)"/.exec(body.toString('utf8'))?.[1];
    if (sid) this.sessions.set(sid, port);
  }

  private route(client: Socket, tried: number): void {
    const port = this.pick(tried);
    if (port === undefined) {
      client.destroy();
      return;
    }
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

  /** The headers nginx would send upstream for a request that came on `req.socket`. */
  private forwardedHeaders(req: IncomingMessage): [string, string][] {
    const client = req.socket.remoteAddress ?? '';
    const sent = req.headers['x-forwarded-for'];
    const xff = this.forwarding!.xForwardedFor === '$remote_addr' || !sent ? client : `${sent}, ${client}`;
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (!/^(x-forwarded-for|x-forwarded-proto)$/i.test(name)) headers.push([name, req.rawHeaders[i + 1]!]);
    }
    headers.push(['X-Forwarded-For', xff], ['X-Forwarded-Proto', 'http']);
    return headers;
  }

  private async forwardRequest(req: IncomingMessage, res: ServerResponse, tried = 0): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of this.forwardedHeaders(req)) {
      if (!/^(connection|keep-alive|transfer-encoding|content-length)$/i.test(name)) headers[name.toLowerCase()] = value;
    }
    headers['content-length'] = String(body.length);
    const attempt = (n: number): void => {
      const port = this.pick(n, req.url);
      if (port === undefined) {
        res.writeHead(502).end();
        return;
      }
      const up = httpRequest(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers, localAddress: this.forwarding!.localAddress, agent: false },
        (upRes) => {
          const out = { ...upRes.headers };
          delete out.connection;
          delete out['keep-alive'];
          const handshake = this.forwarding!.sticky !== false && /^\/socket\.io\//.test(req.url ?? '') && !this.sid(req.url);
          if (!handshake) {
            res.writeHead(upRes.statusCode ?? 502, out);
            upRes.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          upRes.on('data', (chunk: Buffer) => parts.push(chunk));
          upRes.on('end', () => {
            const answer = Buffer.concat(parts);
            this.learn(req.url, port, answer);
            delete out['transfer-encoding'];
            out['content-length'] = String(answer.length);
            res.writeHead(upRes.statusCode ?? 502, out);
            res.end(answer);
          });
        },
      );
      up.once('error', () => (res.headersSent ? res.destroy() : attempt(n + 1)));
      up.end(body);
    };
    attempt(tried);
  }

  private forwardUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, tried: number): void {
    const port = this.pick(tried, req.url);
    if (port === undefined) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ port, host: '127.0.0.1', localAddress: this.forwarding!.localAddress });
    upstream.once('connect', () => {
      this.track(client);
      this.track(upstream);
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`, ...this.forwardedHeaders(req).map(([k, v]) => `${k}: ${v}`)];
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    upstream.once('error', () => {
      if (!this.sockets.has(upstream)) this.forwardUpgrade(req, client, head, tried + 1);
    });
  }

  async stop(): Promise<void> {
    this.sessions.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
