import type { ExtendedError } from 'socket.io';
import type { z } from 'zod';
import { clientEvents, rooms, SOCKET_LIMITS, type ClientEventName, type EventResponse } from '../../contract/index.ts';
import { isModerator, type Deps } from '../context.ts';
import { errors } from '../errors.ts';
import type { ConnectionLimits } from '../limits/connections.ts';
import type { SocketFloodGuard } from '../limits/socket-flood.ts';
import { authenticate } from '../usecases/authenticate.ts';
import { deleteComment } from '../usecases/delete-comment.ts';
import { editComment } from '../usecases/edit-comment.ts';
import { joinThread } from '../usecases/join-thread.ts';
import { postComment } from '../usecases/post-comment.ts';
import { signalTyping } from '../usecases/signal-typing.ts';
import { sessionPayload } from './access.ts';
import { admitEvent } from './flood-gate.ts';
import { answer } from './handle.ts';
import { handshake } from './handshake.ts';
import type { PresenceTracker } from './presence.ts';
import { armExpiry, clearExpiry } from './session.ts';
import { isThreadRoom, type RoomSubscriptions } from './subscriptions.ts';
import type { IoServer, IoSocket } from './types.ts';

interface Live {
  subscriptions: RoomSubscriptions;
  presence: PresenceTracker;
  connections: ConnectionLimits;
  flood: SocketFloodGuard;
}

interface Gateway {
  deps: Deps;
  live: Live;
}

type Handler<E extends ClientEventName> = (
  g: Gateway,
  socket: IoSocket,
  payload: z.output<(typeof clientEvents)[E]['request']>,
) => Promise<EventResponse<E>>;

function joinedThreadCount(socket: IoSocket): number {
  let n = 0;
  for (const room of socket.rooms) if (isThreadRoom(room)) n++;
  return n;
}

/** Each client event: parse (done by `answer`), call one use case, ack. */
const HANDLERS: { [E in ClientEventName]: Handler<E> } = {
  'thread:join': async ({ deps, live }, socket, { threadId, since }) => {
    const room = rooms.thread(threadId);
    const wasJoined = socket.rooms.has(room);
    try {
      const result = await joinThread(
        deps,
        { threadId, since },
        async () => {
          if (!wasJoined && joinedThreadCount(socket) >= SOCKET_LIMITS.maxJoinedThreads) {
            throw errors.forbidden(`A connection can follow at most ${SOCKET_LIMITS.maxJoinedThreads} threads; leave one first`);
          }
          await socket.join(room);
          await live.subscriptions.ready(room);
        },
        { ip: socket.data.ip },
      );
      const viewers = live.presence.known(threadId);
      if (viewers !== undefined) socket.emit('thread:presence', { threadId, viewers });
      return result;
    } catch (err) {
      // A failed join must not leave the socket receiving events it cannot place.
      if (!wasJoined) await socket.leave(room);
      throw err;
    }
  },

  'thread:leave': async (_g, socket, { threadId }) => {
    await socket.leave(rooms.thread(threadId));
    return {};
  },

  'comment:post': async ({ deps }, socket, payload) => {
    const result = await postComment(deps, socket.data.actor, payload, { ip: socket.data.ip });
    if (!result.duplicate) deps.metrics.commentsPosted.inc({ transport: 'socket' });
    return result;
  },

  'comment:edit': ({ deps }, socket, payload) => editComment(deps, socket.data.actor, payload, { ip: socket.data.ip }),

  'comment:delete': ({ deps }, socket, payload) => deleteComment(deps, socket.data.actor, payload),

  typing: async ({ deps }, socket, { threadId }) => {
    if (!socket.rooms.has(rooms.thread(threadId))) throw errors.forbidden('Join the thread before signalling typing');
    return signalTyping(deps, socket.data.actor, { threadId });
  },

  'auth:refresh': async ({ deps, live }, socket, { token }) => {
    const user = await authenticate(deps, token);
    const current = socket.data.actor;
    if (current && current.id !== user.id) throw errors.forbidden('The new token is for another user');
    if (!current) {
      await live.connections.signedIn(socket.id, user.id);
      await socket.join(rooms.user(user.id));
    }
    // The new token may carry another role.
    if (isModerator(user)) await socket.join(rooms.moderators);
    else await socket.leave(rooms.moderators);
    socket.data.actor = user;
    armExpiry(socket, user.expiresAt);
    return { expiresAt: user.expiresAt.toISOString() };
  },
};

/*
 * The listeners below are shared by every socket (they read the socket from
 * `this`), so an idle connection costs no closures of its own: at thousands
 * of connections per server that is a measurable part of the heap.
 */
const gateways = new WeakMap<object, Gateway>();

function onEvent(this: IoSocket, event: string, ...args: unknown[]): void {
  const g = gateways.get(this.nsp)!;
  // Every incoming event passes the socket's rate first.
  admitEvent(g.deps, g.live.flood, this, args).then(
    (allowed) => {
      if (!allowed || !Object.hasOwn(HANDLERS, event)) return; // unknown events get no answer
      const name = event as ClientEventName;
      answer(g.deps, this, name, clientEvents[name].request, args, (payload: never) => HANDLERS[name](g, this, payload));
    },
    (err: unknown) => g.deps.log.warn({ err, event }, 'could not admit a socket event; dropped'),
  );
}

function onDisconnect(this: IoSocket): void {
  const g = gateways.get(this.nsp)!;
  g.deps.metrics.socketsConnected.dec();
  clearExpiry(this);
  g.live.flood.forget(this.id);
  void g.live.connections.disconnected(this.id);
}

/**
 * Socket.io calls middleware without looking at what it returns: this runs an
 * async one and hands a rejection to `next`, so none goes unhandled.
 */
export function syncMiddleware<S>(
  middleware: (socket: S, next: (err?: ExtendedError) => void) => Promise<void>,
): (socket: S, next: (err?: ExtendedError) => void) => void {
  return (socket, next) => {
    middleware(socket, next).catch((err: unknown) => next(err instanceof Error ? err : new Error(String(err))));
  };
}

/** Wires the default namespace. */
export function attachGateway(io: IoServer, deps: Deps, live: Live): void {
  gateways.set(io.of('/'), { deps, live });
  io.use(syncMiddleware(handshake(deps, live.connections)));

  io.on('connection', (socket) => {
    deps.metrics.socketsConnected.inc();
    socket.on('disconnect', onDisconnect);
    socket.onAny(onEvent);

    const actor = socket.data.actor;
    if (actor) {
      void socket.join(rooms.user(actor.id));
      if (isModerator(actor)) void socket.join(rooms.moderators);
      armExpiry(socket, actor.expiresAt);
    }
    if (!actor) socket.emit('session', sessionPayload(null, null));
    else {
      // Read after joining the user's room: a ban made from here on reaches this
      // socket through attachAccessUpdates, one made before is in this read.
      deps.store.moderation.activeBan(actor.id).then(
        (ban) => socket.emit('session', sessionPayload(actor, ban)),
        (err: unknown) => {
          // Posting checks the ban itself; only the greeting goes without it.
          deps.log.debug({ err }, 'could not read the ban for the session greeting');
          socket.emit('session', sessionPayload(actor, null));
        },
      );
      // Read once the user's channel is live: a notification is then either in this count or pushed.
      live.subscriptions
        .ready(rooms.user(actor.id))
        .then(() => deps.store.notifications.unreadCount(actor.id))
        .then(
          (unread) => socket.emit('notifications:unread', { unread }),
          (err: unknown) => deps.log.debug({ err }, 'could not read the unread count'),
        );
    }
  });
}
