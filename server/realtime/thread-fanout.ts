import type { Namespace } from 'socket.io';
import WebSocket from 'ws';
import { threadEnvelope } from '../store/adapter-protocol.ts';
import { isThreadRoom, threadIdOfRoom } from './subscriptions.ts';

/**
 * Delivers a thread's live events (the messages the write scripts SPUBLISH to
 * the thread's room channel) without the adapter's decode and re-encode, and
 * coalesces bursts into one `thread:batch` frame per socket.
 *
 * The adapter would JSON.parse each message, JSON.stringify its packet again
 * and write one frame per event to every socket. The script's message is
 * `envelope prefix + event JSON + envelope suffix` (store/adapter-protocol.ts),
 * so the event's JSON can be cut out of the bytes as they come, and a Socket.IO
 * packet is that JSON with a fixed head and tail. Per room and frame we build
 * the packet and its WebSocket frame once and hand the same bytes to every
 * socket, as socket.io-adapter's own broadcast does (`wsPreEncodedFrame`).
 *
 * Batching: an event that finds the room quiet (nothing sent for `batchMs`)
 * goes out at once as a `thread:event`; events that follow within the tick
 * wait for its end and go out together, in the order they came (the order the
 * scripts published them, which is offset order). Per socket and per frame the
 * server pays a fixed cost (engine.io packet, ws write, syscall), so a room
 * receiving events faster than the tick pays it once per tick, not per event.
 *
 * Any other message for the room (typing, presence, a thread update, or one
 * whose bytes are not exactly the script's envelope) first flushes what is
 * waiting, then takes the adapter's usual path, so a room's frames keep the
 * order in which their messages arrived.
 */

interface Adapter {
  rooms: Map<string, Set<string>>;
  on(event: 'delete-room', listener: (room: string) => void): unknown;
  onRawMessage(raw: Buffer, channel: Buffer | string): void;
  broadcast(packet: unknown, opts: { rooms: Set<string> }): void;
}

interface EngineClient {
  writeToEngine(packets: string[], opts: { preEncoded: true; wsPreEncodedFrame?: unknown }): void;
}

interface RoomState {
  /** The script's message for this room is `head + event JSON + tail`. */
  head: Buffer;
  tail: Buffer;
  /** `2["thread:batch",{"threadId":…,"events":[`: the batch packet up to its first event. */
  batchHead: string;
  lastSentAt: number;
  pending: string[];
  timer: NodeJS.Timeout | undefined;
}

const EVENT_HEAD = '2["thread:event",';
const EVENT_TAIL = ']';
const BATCH_TAIL = ']}]';

type FrameOptions = { readOnly: boolean; mask: boolean; rsv1: boolean; opcode: number; fin: boolean };
/** ws's frame builder, which @types/ws leaves out; engine.io's WebSocket transport sends its output as is. */
const { Sender } = WebSocket as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

/** The WebSocket frame of an Engine.IO message (`4` + packet), built once for every socket. */
function wsFrame(packet: string): Buffer[] {
  return Sender.frame(Buffer.from(`4${packet}`), { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true });
}

export class ThreadFanout {
  private readonly states = new Map<string, RoomState>();
  private readonly channelBase: string;
  private readonly adapter: Adapter;

  constructor(
    private readonly nsp: Namespace,
    private readonly channelPrefix: string,
    private readonly batchMs: number,
  ) {
    this.channelBase = `${channelPrefix}#${nsp.name}#`;
    this.adapter = nsp.adapter as unknown as Adapter;
    const adapter = this.adapter;
    const onRawMessage = adapter.onRawMessage.bind(adapter);
    const broadcast = adapter.broadcast.bind(adapter);
    // The adapter's subscription handlers call `this.onRawMessage`, so replacing it on the instance takes every message.
    adapter.onRawMessage = (raw, channel) => {
      const room = this.roomOf(channel);
      if (room === undefined) return onRawMessage(raw, channel);
      if (this.take(room, raw)) return;
      this.flush(room);
      onRawMessage(raw, channel);
    };
    // This server's own emits to a thread room (presence) also wait for what the room has pending.
    adapter.broadcast = (packet, opts) => {
      for (const room of opts.rooms) if (this.states.get(room)?.pending.length) this.flush(room);
      broadcast(packet, opts);
    };
    adapter.on('delete-room', (room) => this.forget(room));
  }

  /** Drops every pending frame and timer (the server is closing). */
  close(): void {
    for (const room of [...this.states.keys()]) this.forget(room);
  }

  /** The thread room a message's channel belongs to, if it is one. */
  private roomOf(channel: Buffer | string): string | undefined {
    const name = typeof channel === 'string' ? channel : channel.toString();
    if (!name.startsWith(this.channelBase) || !name.endsWith('#')) return undefined;
    const room = name.slice(this.channelBase.length, -1);
    return isThreadRoom(room) ? room : undefined;
  }

  private stateOf(room: string): RoomState {
    let state = this.states.get(room);
    if (!state) {
      const threadId = threadIdOfRoom(room);
      const { prefix, suffix } = threadEnvelope(this.channelPrefix, threadId);
      state = {
        head: Buffer.from(prefix),
        tail: Buffer.from(suffix),
        batchHead: `2["thread:batch",{"threadId":${JSON.stringify(threadId)},"events":[`,
        lastSentAt: Number.NEGATIVE_INFINITY,
        pending: [],
        timer: undefined,
      };
      this.states.set(room, state);
    }
    return state;
  }

  /** Queues the message's event if it is exactly a script's `thread:event` envelope for this room. */
  private take(room: string, raw: Buffer): boolean {
    if (!this.adapter.rooms.has(room)) return false;
    const state = this.stateOf(room);
    const { head, tail } = state;
    const end = raw.length - tail.length;
    if (end <= head.length || head.compare(raw, 0, head.length) !== 0 || tail.compare(raw, end) !== 0) return false;
    const event = raw.toString('utf8', head.length, end);
    const now = performance.now();
    if (state.timer === undefined && now - state.lastSentAt >= this.batchMs) {
      state.lastSentAt = now;
      this.send(room, EVENT_HEAD + event + EVENT_TAIL);
      return true;
    }
    state.pending.push(event);
    if (state.timer === undefined) {
      state.timer = setTimeout(() => this.flush(room), Math.max(0, state.lastSentAt + this.batchMs - now));
      state.timer.unref();
    }
    return true;
  }

  private flush(room: string): void {
    const state = this.states.get(room);
    if (!state) return;
    clearTimeout(state.timer);
    state.timer = undefined;
    const events = state.pending;
    if (events.length === 0) return;
    state.pending = [];
    state.lastSentAt = performance.now();
    this.send(room, events.length === 1 ? EVENT_HEAD + events[0]! + EVENT_TAIL : state.batchHead + events.join(',') + BATCH_TAIL);
  }

  /** One packet, one frame, written to every local socket in the room. */
  private send(room: string, packet: string): void {
    const ids = this.adapter.rooms.get(room);
    if (!ids) return;
    const opts = { preEncoded: true as const, wsPreEncodedFrame: wsFrame(packet) };
    const packets = [packet];
    for (const id of ids) (this.nsp.sockets.get(id)?.client as unknown as EngineClient | undefined)?.writeToEngine(packets, opts);
  }

  private forget(room: string): void {
    const state = this.states.get(room);
    if (!state) return;
    clearTimeout(state.timer);
    this.states.delete(room);
  }
}
