import type { RedisClient } from '../store/redis.ts';
import { rooms } from '../../contract/index.ts';
import { errors } from '../errors.ts';
import { roomChannel } from '../store/adapter-protocol.ts';
import type { IoServer } from './types.ts';
import { ignore } from '../domain/ignore.ts';

const THREAD_ROOM = rooms.thread('').slice(0, -1); // "thread:{t:", then the id, then "}" (and "~" if that made 20 characters)
const CONFIRM_TIMEOUT_MS = 3_000;

const USER_ROOM = rooms.user('');

export const isThreadRoom = (room: string) => room.startsWith(THREAD_ROOM) && (room.endsWith('}') || room.endsWith('}~'));
export const threadIdOfRoom = (room: string) => room.slice(THREAD_ROOM.length, room.lastIndexOf('}'));
const isUserRoom = (room: string) => room.startsWith(USER_ROOM);

/**
 * Knows when this instance's Redis subscription to a thread's or a user's
 * channel is live. The adapter subscribes when a room gets its first local
 * socket but does not wait for Redis to confirm. A thread join must, or an
 * event published between reading the thread's offset and the subscription
 * taking effect would reach nobody on this instance; likewise the unread
 * count sent on connect, or a notification in that moment would be neither
 * counted nor pushed.
 */
export class RoomSubscriptions {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    io: IoServer,
    private readonly subscriber: RedisClient,
    private readonly channelPrefix: string,
  ) {
    const adapter = io.of('/').adapter;
    adapter.on('create-room', (room: string) => {
      if (isThreadRoom(room) || isUserRoom(room)) this.confirm(room);
    });
    adapter.on('delete-room', (room: string) => this.pending.delete(room));
  }

  /** Resolves once the room's channel subscription is confirmed by Redis. */
  ready(room: string): Promise<void> {
    return this.pending.get(room) ?? Promise.resolve();
  }

  private confirm(room: string): void {
    // Same connection, same order: when Redis answers this SSUBSCRIBE, the
    // adapter's own (sent just before) is in effect too.
    let timer: NodeJS.Timeout | undefined;
    const confirmed = Promise.race([
      this.subscriber.ssubscribe(roomChannel(this.channelPrefix, room)).then(() => undefined),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(errors.unavailable(new Error('subscription not confirmed in time'))), CONFIRM_TIMEOUT_MS);
      }),
    ]).finally(() => {
      clearTimeout(timer);
      if (this.pending.get(room) === confirmed) this.pending.delete(room);
    });
    // Those awaiting it see the failure; this only keeps an unawaited rejection from taking the process down.
    confirmed.catch(ignore);
    this.pending.set(room, confirmed);
  }
}
