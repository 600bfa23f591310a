import { z } from 'zod';
import { ErrorCodeSchema, type ErrorBody } from './errors.ts';
import {
  ClientIdSchema,
  CommentIdSchema,
  AuthoredCommentSchema,
  HandleSchema,
  NotificationSchema,
  RawBodySchema,
  SessionUserSchema,
  StreamPositionSchema,
  ThreadEventSchema,
  ThreadIdSchema,
  ThreadSchema,
} from './schemas.ts';

/**
 * Client -> server events. Every one takes an ack callback and is answered with
 * `{ok: true, ...response}` or `{ok: false, error}`.
 */
export const clientEvents = {
  'thread:join': {
    request: z.strictObject({ threadId: ThreadIdSchema, since: StreamPositionSchema.optional() }),
    response: z.object({
      thread: ThreadSchema,
      offset: z.number().int().nonnegative(),
      epoch: z.string(),
      /**
       * true: `missed` holds every event after `since.offset`, in order.
       * false: history is gone or the epoch changed; reload over REST.
       */
      recovered: z.boolean(),
      missed: z.array(ThreadEventSchema),
    }),
  },
  'thread:leave': {
    request: z.strictObject({ threadId: ThreadIdSchema }),
    response: z.object({}),
  },
  'comment:post': {
    request: z.strictObject({
      threadId: ThreadIdSchema,
      body: RawBodySchema,
      parentId: CommentIdSchema.optional(),
      clientId: ClientIdSchema,
    }),
    response: z.object({ comment: AuthoredCommentSchema, duplicate: z.boolean() }),
  },
  'comment:edit': {
    request: z.strictObject({ commentId: CommentIdSchema, body: RawBodySchema }),
    response: z.object({ comment: AuthoredCommentSchema }),
  },
  'comment:delete': {
    request: z.strictObject({ commentId: CommentIdSchema }),
    response: z.object({ comment: AuthoredCommentSchema }),
  },
  /** "I am typing": others in the thread see it, at most once per user every 3 s. */
  typing: {
    request: z.strictObject({ threadId: ThreadIdSchema }),
    response: z.object({ sent: z.boolean() }),
  },
  /** Swap in a fresh token without reconnecting (same user only). */
  'auth:refresh': {
    request: z.strictObject({ token: z.string().min(1).max(8192) }),
    response: z.object({ expiresAt: z.iso.datetime() }),
  },
} as const;

/** A ban as its user is told of it. */
export const BanNoticeSchema = z.object({ until: z.iso.datetime().nullable(), reason: z.string().nullable() });

/** Server -> client events. */
export const serverEvents = {
  /** A change to a joined thread, in offset order. */
  'thread:event': ThreadEventSchema,
  /**
   * Several consecutive changes to one joined thread in one frame, in offset
   * order: what `thread:event` would have delivered one by one. A server sends
   * it when a thread changes faster than its batching tick (`FANOUT_BATCH_MS`);
   * apply `events` in order exactly as if each had come as a `thread:event`.
   */
  'thread:batch': z.object({ threadId: ThreadIdSchema, events: z.array(ThreadEventSchema).min(1) }),
  /**
   * The thread's current position, sent when this server may have missed live
   * events (its Redis subscription was interrupted). A client behind `offset`,
   * or on another epoch, re-joins with `since` to catch up.
   */
  'thread:sync': z.object({ threadId: ThreadIdSchema, offset: z.number().int().nonnegative(), epoch: z.string() }),
  /** The thread's settings changed (locked, slow mode, pre-moderation, title). */
  'thread:updated': z.object({ thread: ThreadSchema }),
  /** Approximate distinct viewers across all servers; at most every 2 s, only on change. */
  'thread:presence': z.object({ threadId: ThreadIdSchema, viewers: z.number().int().nonnegative() }),
  'thread:typing': z.object({
    threadId: ThreadIdSchema,
    user: z.object({ handle: HandleSchema, name: z.string() }),
  }),
  /**
   * One of your own comments changed status out of readers' sight: posted as
   * pending, held, or rejected while pending. Only you (all your tabs) get it.
   */
  'comment:own': z.object({ comment: AuthoredCommentSchema }),
  /** You were banned: posting is refused until `until` (null: permanently). A `session` with `banned` follows. */
  'account:banned': BanNoticeSchema,
  /** You were mentioned or replied to; `unread` is your new unread count. */
  notification: NotificationSchema.extend({ unread: z.number().int().nonnegative() }),
  /** Your unread notification count: on connect and after every change, on every tab. */
  'notifications:unread': z.object({ unread: z.number().int().nonnegative() }),
  /**
   * Who the server thinks you are, and whether you may post: sent after
   * connecting, and again whenever a ban on you is made or lifted (on every
   * tab, on any server). `banned` non-null: posting and editing are refused
   * until `banned.until` (null: for good); reading goes on.
   */
  session: z.object({ user: SessionUserSchema.nullable(), expiresAt: z.iso.datetime().nullable(), banned: BanNoticeSchema.nullable() }),
  /** The server is about to close this connection, and why (e.g. it flooded the server with events). */
  'connection:closing': z.object({ code: ErrorCodeSchema, reason: z.string() }),
  /** The token expired; the server disconnects right after. Reconnect with a new token. */
  'auth:expired': z.object({ reason: z.string() }),
} as const;

export type ClientEventName = keyof typeof clientEvents;
export type ServerEventName = keyof typeof serverEvents;

export type EventRequest<E extends ClientEventName> = z.input<(typeof clientEvents)[E]['request']>;
export type EventResponse<E extends ClientEventName> = z.output<(typeof clientEvents)[E]['response']>;

export type AckOk<R> = { ok: true } & R;
export type AckError = { ok: false; error: ErrorBody };
export type Ack<R> = AckOk<R> | AckError;

export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: EventRequest<E>, ack: (res: Ack<EventResponse<E>>) => void) => void;
};

export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: z.output<(typeof serverEvents)[E]>) => void;
};

/**
 * Room names, shared so workers can emit to the same rooms as the server.
 * A thread's room carries the thread's Redis hash tag (see server/store/adapter-protocol.ts).
 */
export const rooms = {
  /**
   * Never 20 characters long: Socket.IO's sharded adapter takes a 20-character
   * room for a socket id and broadcasts to it on the namespace's channel (a
   * different Redis Cluster slot) instead of the room's own, where the thread's
   * write scripts publish (a 9-character thread id would make one).
   */
  thread: (threadId: string) => {
    const room = `thread:{t:${threadId}}`;
    return room.length === 20 ? `${room}~` : room;
  },
  user: (userId: string) => `user:${userId}`,
  moderators: 'moderators',
} as const;

/** Limits a client can plan around. */
export const SOCKET_LIMITS = {
  maxPayloadBytes: 64 * 1024,
  maxJoinedThreads: 50,
} as const;
