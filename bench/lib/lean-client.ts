import WebSocket from 'ws';

const BATCH_PREFIX = '42["thread:batch"';
const EPOCH_KEY = '"epoch":';

/**
 * Events in a Threadline `thread:batch` frame, counted without parsing it:
 * every event has one `"epoch":` key, the batch itself none, and inside a JSON
 * string a quote is escaped, so comment text cannot contain the key.
 */
function eventsInBatch(text: string): number {
  let n = 0;
  for (let at = text.indexOf(EPOCH_KEY); at !== -1; at = text.indexOf(EPOCH_KEY, at + EPOCH_KEY.length)) n++;
  return n;
}

/**
 * A minimal Engine.IO v4 / Socket.IO v5 client over one websocket, for the
 * thousands of clients a benchmark keeps open: it connects, answers pings,
 * sends events and counts what arrives without decoding it (the counted event,
 * and each event of a Threadline `thread:batch`). Receivers that
 * measure latency use the real socket.io-client instead.
 */
export class LeanClient {
  received = 0;
  private ws: WebSocket | undefined;
  private ackId = 0;
  private readonly acks = new Map<number, (payload: unknown) => void>();
  private readonly countPrefix: string;

  constructor(
    private readonly url: string,
    countEvent: string,
    private readonly auth: Record<string, string> = {},
  ) {
    this.countPrefix = `42["${countEvent}"`;
  }

  connect(timeoutMs = 15_000): Promise<void> {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('lean client connect timeout')), timeoutMs);
      ws.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        const type = text.charCodeAt(0);
        if (type === 50 /* '2' ping */ && text.length === 1) return void ws.send('3');
        if (type === 48 /* '0' open */) return void ws.send(`40${Object.keys(this.auth).length ? JSON.stringify(this.auth) : ''}`);
        if (text.startsWith('40')) {
          clearTimeout(timer);
          return resolve();
        }
        if (text.startsWith('44')) {
          clearTimeout(timer);
          return reject(new Error(`connection refused: ${text.slice(2)}`));
        }
        if (text.startsWith(this.countPrefix)) {
          this.received++;
          return;
        }
        if (text.startsWith(BATCH_PREFIX)) {
          this.received += eventsInBatch(text);
          return;
        }
        if (text.startsWith('43')) {
          const at = text.indexOf('[');
          const id = Number(text.slice(2, at));
          this.acks.get(id)?.(JSON.parse(text.slice(at))[0]);
          this.acks.delete(id);
        }
      });
    });
  }

  /** Emits with an ack and resolves with the ack's payload. */
  request(event: string, payload: unknown): Promise<unknown> {
    const id = this.ackId++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.ws!.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  /** Sends a raw websocket message (for the raw-ws baseline). */
  sendRaw(data: string): void {
    this.ws!.send(data);
  }

  close(): void {
    this.ws?.terminate();
  }
}

/** A plain websocket client (raw `ws` baseline): counts every message. */
export class RawWsClient {
  received = 0;
  private ws: WebSocket | undefined;

  constructor(private readonly url: string) {}

  connect(): Promise<void> {
    const ws = new WebSocket(this.url.replace(/^http/, 'ws'), { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', () => this.received++);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  onMessage(fn: (data: string) => void): void {
    this.ws!.on('message', (d: Buffer) => fn(d.toString()));
  }

  send(data: string): void {
    this.ws!.send(data);
  }

  close(): void {
    this.ws?.terminate();
  }
}

/**
 * Opens many clients, a batch at a time, so the servers are not hit by
 * thousands of handshakes at once. If one fails, every client opened so far
 * is closed before the error surfaces.
 */
export async function openMany<T extends { connect(): Promise<void>; close(): void }>(
  make: (i: number) => T,
  count: number,
  batch = 200,
): Promise<T[]> {
  const clients: T[] = [];
  try {
    for (let i = 0; i < count; i += batch) {
      const group = Array.from({ length: Math.min(batch, count - i) }, (_, j) => make(i + j));
      clients.push(...group);
      await Promise.all(group.map((c) => c.connect()));
    }
  } catch (err) {
    for (const c of clients) c.close();
    throw err;
  }
  return clients;
}
