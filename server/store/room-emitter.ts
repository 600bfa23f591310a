import type { RedisClient } from './redis.ts';
import type { z } from 'zod';
import { MODERATION_NAMESPACE, type ModEvent, type serverEvents, type ServerEventName } from '../../contract/index.ts';
import { envelope, serverSideEmitMessage, type InterServerEvents } from './adapter-protocol.ts';

export type ServerEventPayload<E extends ServerEventName> = z.input<(typeof serverEvents)[E]>;

/**
 * Emits to a Socket.IO room on every server instance from any process (a
 * server, a worker, a CLI) by publishing the adapter's own message to Redis.
 */
export class RoomEmitter {
  constructor(
    private readonly redis: RedisClient,
    private readonly channelPrefix: string,
  ) {}

  async emit<E extends ServerEventName>(
    room: string,
    event: E,
    payload: ServerEventPayload<E>,
    opts: { except?: string[] } = {},
  ): Promise<void> {
    await this.publish(room, event, payload, { except: opts.except });
  }

  /** To moderators in the /moderation namespace, in any of these rooms (each socket gets it once). */
  async emitToModerators(rooms: string[], event: ModEvent): Promise<void> {
    await this.publish(rooms, 'mod:event', event, { nsp: MODERATION_NAMESPACE });
  }

  /** To every server instance (each applies it to its own sockets), e.g. a ban made or lifted. */
  async serverSideEmit<E extends keyof InterServerEvents>(event: E, ...args: Parameters<InterServerEvents[E]>): Promise<void> {
    const { channel, message } = serverSideEmitMessage(this.channelPrefix, event, args);
    await this.redis.spublish(channel, message);
  }

  /** Every server re-reads the user's ban and applies it to the user's live sockets. */
  async accessChanged(userId: string): Promise<void> {
    await this.serverSideEmit('user:access', userId);
  }

  /** Every server forgets the erased user's identity and closes their live sockets. */
  async userErased(userId: string): Promise<void> {
    await this.serverSideEmit('user:erased', userId);
  }

  private async publish(rooms: string | string[], event: string, payload: unknown, opts: Parameters<typeof envelope>[3]): Promise<void> {
    const { channel, prefix, suffix } = envelope(this.channelPrefix, rooms, event, opts);
    await this.redis.spublish(channel, prefix + JSON.stringify(payload) + suffix);
  }
}
