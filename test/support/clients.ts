import { decodeJwt } from 'jose';
import { io as connect, type Socket } from 'socket.io-client';
import {
  MODERATION_NAMESPACE,
  type Ack,
  type ClientEventName,
  type ClientToServerEvents,
  type EventRequest,
  type EventResponse,
  type Role,
  type ServerToClientEvents,
} from '../../contract/index.ts';
import { signToken } from '../../server/auth/tokens.ts';
import { TEST_SECRET } from './server.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let counter = 0;

export interface TestUser {
  id: string;
  handle: string;
  name: string;
  role: Role;
  token: string;
}

/** A fresh user with a signed token; handles are unique per call. */
export async function makeUser(
  opts: { handle?: string; name?: string; role?: Role; id?: string; ttlSeconds?: number; email?: string } = {},
): Promise<TestUser> {
  counter++;
  const handle = opts.handle ?? `user${counter}_${process.pid}`;
  const id = opts.id ?? `sub-${handle}`;
  const name = opts.name ?? `User ${counter}`;
  const role = opts.role ?? 'commenter';
  const token = await signToken(
    TEST_SECRET,
    { sub: id, handle, name, role, ...(opts.email ? { email: opts.email } : {}) },
    opts.ttlSeconds ?? 3600,
  );
  return { id, handle, name, role, token };
}

/** A connected socket.io-client (websocket only unless asked, no auto-reconnect unless asked). */
export async function connectSocket(
  url: string,
  token?: string,
  opts: { reconnection?: boolean; extraHeaders?: Record<string, string>; transports?: ('polling' | 'websocket')[] } = {},
): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, {
    transports: opts.transports ?? ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? false,
    auth: token ? { token } : {},
    ...(opts.extraHeaders ? { extraHeaders: opts.extraHeaders } : {}),
  });
  // Keep every event from the first packet on: some arrive in the same tick as
  // `session`, before a test could attach a listener (see record()).
  const history: [string, unknown][] = [];
  histories.set(socket, history);
  socket.onAny((event: string, payload: unknown) => history.push([event, payload]));
  // The server greets every connection with `session`; waiting for it means the
  // server-side handlers are in place and lets tests read who they are.
  const session = await new Promise<SessionPayload>((resolve, reject) => {
    socket.once('session', (payload) => resolve(payload));
    socket.once('connect_error', (err) => reject(err));
  });
  sessions.set(socket, session);
  return socket;
}

const histories = new WeakMap<ClientSocket, [string, unknown][]>();

type SessionPayload = Parameters<ServerToClientEvents['session']>[0];
const sessions = new WeakMap<ClientSocket, SessionPayload>();

/** The `session` greeting this socket received on connecting. */
export function sessionOf(socket: ClientSocket): SessionPayload | undefined {
  return sessions.get(socket);
}

/** Emits and resolves with the ack, failing loudly if none arrives. */
export function request<E extends ClientEventName>(
  socket: ClientSocket,
  event: E,
  payload: EventRequest<E>,
  timeoutMs = 5_000,
): Promise<Ack<EventResponse<E>>> {
  return (socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<EventResponse<E>>> }).emitWithAck(
    event,
    payload,
  );
}

/** Like request, but throws unless the ack is ok. */
export async function ok<E extends ClientEventName>(socket: ClientSocket, event: E, payload: EventRequest<E>): Promise<EventResponse<E>> {
  const res = await request(socket, event, payload);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
  return res;
}

/**
 * Records every event of a kind the socket receives, for later assertions,
 * starting with any that arrived before this call (since the socket connected).
 */
export function record<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E) {
  type Payload = Parameters<ServerToClientEvents[E]>[0];
  // A `thread:batch` frame is, by contract, its events in order: recording
  // `thread:event` sees them one by one, whichever framing the server chose.
  const unwrap = (name: string, payload: unknown): Payload[] => {
    if (name === event) return [payload as Payload];
    if (event === 'thread:event' && name === 'thread:batch') return (payload as { events: Payload[] }).events;
    return [];
  };
  const seen: Payload[] = (histories.get(socket) ?? []).flatMap(([name, payload]) => unwrap(name, payload));
  const waiters: { n: number; resolve: () => void }[] = [];
  socket.onAny((name: string, payload: unknown) => {
    const arrived = unwrap(name, payload);
    if (arrived.length === 0) return;
    seen.push(...arrived);
    for (const w of [...waiters]) if (seen.length >= w.n) w.resolve();
  });
  return {
    seen,
    /** Resolves once `n` events have arrived in total; rejects after the timeout naming the shortfall. */
    waitFor(n: number, timeoutMs = 5_000): Promise<void> {
      if (seen.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${n} ${event} events, got ${seen.length}`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

export function connectError(url: string, auth: Record<string, unknown>): Promise<Error & { data?: { code: string; message: string } }> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.disconnect();
      reject(new Error('expected the connection to be refused, but it connected'));
    });
    socket.once('connect_error', (err) => {
      socket.disconnect();
      resolve(err);
    });
  });
}

/**
 * Resolves once the server's clock has passed the expiry of `token`. Token
 * expiry has whole seconds, so a control socket whose token expires a second
 * later is told `auth:expired` by the same server timer, a second after.
 */
export async function waitPastExpiry(url: string, token: string): Promise<void> {
  const { exp } = decodeJwt(token);
  const control = await makeUser({ ttlSeconds: exp! + 1 - Math.floor(Date.now() / 1000) });
  const socket = await connectSocket(url, control.token);
  try {
    await record(socket, 'auth:expired').waitFor(1, 8_000);
  } finally {
    socket.disconnect();
  }
}

/** What a refused handshake carries in its error's `data`. */
export interface Refusal {
  code: string;
  message: string;
  details?: { scope: string; limit?: number };
}

/**
 * One connection attempt to the /moderation namespace (websocket, no
 * reconnection): the open socket, or the refusal the handshake failed with
 * (that socket is disconnected). `listen` runs before the connection starts,
 * so what it attaches hears events from the first packet.
 */
export function moderationAttempt(
  url: string,
  token?: string,
  opts: { extraHeaders?: Record<string, string>; listen?: (socket: Socket) => void } = {},
): Promise<{ socket?: Socket; error?: Refusal }> {
  const socket = connect(`${url}${MODERATION_NAMESPACE}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: token ? { token } : {},
    ...(opts.extraHeaders ? { extraHeaders: opts.extraHeaders } : {}),
  });
  opts.listen?.(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      resolve({ error: (err as Error & { data?: Refusal }).data });
    });
  });
}

/** A connected /moderation socket; throws with the refusal if the handshake fails. */
export async function moderationSocket(url: string, token: string, listen?: (socket: Socket) => void): Promise<Socket> {
  const { socket, error } = await moderationAttempt(url, token, { listen });
  if (!socket) throw new Error(`/moderation refused the connection: ${JSON.stringify(error)}`);
  return socket;
}
