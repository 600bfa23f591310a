import { rooms } from '../../contract/index.ts';

/**
 * The message format of Socket.IO's sharded Redis adapter
 * (@socket.io/redis-adapter `createShardedAdapter`, built on socket.io-adapter's
 * ClusterAdapter): a JSON `{uid, nsp, type: BROADCAST, data: {opts, packet}}`
 * SPUBLISHed to `<prefix>#<nsp>#<room>#` (prefix: keys.adapterChannels). Every server that has sockets in the
 * room is subscribed to that channel and delivers the packet to them.
 *
 * We produce these messages ourselves in two places: the Lua scripts that
 * change a thread (so the live event is published atomically with the write,
 * in offset order) and the workers (which run no Socket.IO server). Tests
 * fail if an adapter upgrade changes the format. Likewise the adapter's
 * server-side emit (`{type: SERVER_SIDE_EMIT, data: {packet: [event, ...args]}}`
 * on the namespace's channel), which reaches every server's namespace listeners.
 */
/** Sent between servers through the adapter (RoomEmitter.serverSideEmit). */
export interface InterServerEvents {
  /** The user's ban was made or lifted: apply it to their live sockets here (realtime/access.ts). */
  'user:access': (userId: string) => void;
  /** The user was erased: forget their identity and close their live sockets here (realtime/access.ts). */
  'user:erased': (userId: string) => void;
}

const BROADCAST = 3;
const SERVER_SIDE_EMIT = 9;
const EVENT_PACKET = 2;
const DEFAULT_NAMESPACE = '/';
/** Any uid other than a server's own makes every server, the publisher's included, deliver it. */
const PUBLISHER_UID = 'threadline';
const PLACEHOLDER = '"__PAYLOAD__"';

/**
 * Mirrors the adapter's choice of channel: a broadcast to one room goes to
 * that room's channel (unless the room looks like a socket id, 20 chars);
 * anything else goes to the namespace's channel, which every server hears.
 */
export function roomChannel(channelPrefix: string, rooms: string | string[], nsp = DEFAULT_NAMESPACE): string {
  const base = `${channelPrefix}#${nsp}#`;
  const list = typeof rooms === 'string' ? [rooms] : rooms;
  return list.length === 1 && list[0]!.length !== 20 ? `${base}${list[0]}#` : base;
}

export interface Envelope {
  channel: string;
  /** The message is `prefix + JSON payload + suffix`. */
  prefix: string;
  suffix: string;
}

export function envelope(
  channelPrefix: string,
  rooms: string | string[],
  event: string,
  opts: { except?: string[]; nsp?: string } = {},
): Envelope {
  const nsp = opts.nsp ?? DEFAULT_NAMESPACE;
  const list = typeof rooms === 'string' ? [rooms] : rooms;
  const message = JSON.stringify({
    uid: PUBLISHER_UID,
    nsp,
    type: BROADCAST,
    data: {
      opts: { rooms: list, except: opts.except ?? [], flags: {} },
      packet: { type: EVENT_PACKET, nsp, data: [event, '__PAYLOAD__'] },
    },
  });
  const at = message.indexOf(PLACEHOLDER);
  return { channel: roomChannel(channelPrefix, list, nsp), prefix: message.slice(0, at), suffix: message.slice(at + PLACEHOLDER.length) };
}

/**
 * Where a thread's live events go. The room name carries the thread's hash tag,
 * so the channel lives in the same Redis Cluster slot as the thread's keys and
 * the write script may SPUBLISH to it.
 */
export function threadEnvelope(channelPrefix: string, threadId: string): Envelope {
  return envelope(channelPrefix, rooms.thread(threadId), 'thread:event');
}

/**
 * `io.serverSideEmit(event, ...args)` (no ack) as a message any process can
 * publish. Unlike Socket.IO's own, which skips the sending server, this one
 * reaches every server, the sender's too (PUBLISHER_UID is nobody's uid).
 */
export function serverSideEmitMessage(
  channelPrefix: string,
  event: string,
  args: unknown[],
  nsp = DEFAULT_NAMESPACE,
): { channel: string; message: string } {
  const message = JSON.stringify({ uid: PUBLISHER_UID, nsp, type: SERVER_SIDE_EMIT, data: { packet: [event, ...args] } });
  return { channel: roomChannel(channelPrefix, [], nsp), message };
}
