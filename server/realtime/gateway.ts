import { rooms, SOCKET_LIMITS } from '../../client/contract/index.ts';
import { isModerator, type Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { authenticate } from '../usecases/authenticate.ts';
import { deleteComment } from '../usecases/delete-comment.ts';
import { editComment } from '../usecases/edit-comment.ts';
import { joinThread } from '../usecases/join-thread.ts';
import { postComment } from '../usecases/post-comment.ts';
import { signalTyping } from '../usecases/signal-typing.ts';
import { handle } from './handle.ts';
import type { ConnectionLimits } from '../limits/connections.ts';
import type { SocketFloodGuard } from '../limits/socket-flood.ts';
import { AppError } from '../errors.ts';
import { handshake } from './handshake.ts';
import type { PresenceTracker } from './presence.ts';
import { armExpiry, clearExpiry } from './session.ts';
import { isThreadRoom, type ThreadSubscriptions } from './subscriptions.ts';
import type { IoServer, IoSocket } from './types.ts';

function joinedThreadCount(socket: IoSocket): number {
  let n = 0;
  for (const room of socket.rooms) if (isThreadRoom(room)) n++;
  return n;
}

/** Wires the default namespace: each event parses, calls one use case, acks. */
export function attachGateway(
  io: IoServer,
  deps: Deps,
  live: { subscriptions: ThreadSubscriptions; presence: PresenceTracker; connections: ConnectionLimits; flood: SocketFloodGuard },
): void {
  io.use(handshake(deps, live.connections));

  io.on('connection', (socket) => {
    deps.metrics.socketsConnected.inc();
    socket.on('disconnect', () => {
      deps.metrics.socketsConnected.dec();
      clearExpiry(socket);
      live.flood.forget(socket.id);
      void live.connections.disconnected(socket.id);
    });

    // Every incoming event passes the socket's rate first; refused ones are
    // answered `rate_limited` without reaching a handler.
    socket.use((packet, next) => {
      live.flood.check(socket.id).then((verdict) => {
        if (verdict.allowed) return next();
        const ack = packet.at(-1);
        deps.metrics.errors.inc({ transport: 'socket', code: 'rate_limited' });
        if (typeof ack === 'function') {
          const error = new AppError('rate_limited', 'Too many events; slow down', { retryAfterMs: verdict.retryAfterMs, details: { scope: 'socket_events' } });
          ack({ ok: false, error: error.toBody() });
        }
        if (verdict.disconnect) {
          socket.emit('connection:closing', { code: 'rate_limited', reason: 'This connection kept sending events faster than allowed' });
          socket.disconnect(true);
        }
      }, next);
    });

    const actor = socket.data.actor;
    if (actor) {
      void socket.join(rooms.user(actor.id));
      if (isModerator(actor)) void socket.join(rooms.moderators);
      armExpiry(socket, actor.expiresAt);
    }
    socket.emit('session', {
      user: actor ? { id: actor.id, handle: actor.handle, name: actor.name, role: actor.role } : null,
      expiresAt: actor ? actor.expiresAt.toISOString() : null,
    });
    if (actor) {
      deps.store.notifications.unreadCount(actor.id).then(
        (unread) => socket.emit('notifications:unread', { unread }),
        (err: unknown) => deps.log.debug({ err }, 'could not read the unread count'),
      );
    }

    handle(deps, socket, 'thread:join', async ({ threadId, since }) => {
      const room = rooms.thread(threadId);
      const wasJoined = socket.rooms.has(room);
      try {
        const result = await joinThread(deps, { threadId, since }, async () => {
          if (!wasJoined && joinedThreadCount(socket) >= SOCKET_LIMITS.maxJoinedThreads) {
            throw errors.forbidden(`A connection can follow at most ${SOCKET_LIMITS.maxJoinedThreads} threads; leave one first`);
          }
          await socket.join(room);
          await live.subscriptions.ready(room);
        });
        const viewers = live.presence.known(threadId);
        if (viewers !== undefined) socket.emit('thread:presence', { threadId, viewers });
        return result;
      } catch (err) {
        // A failed join must not leave the socket receiving events it cannot place.
        if (!wasJoined) await socket.leave(room);
        throw err;
      }
    });

    handle(deps, socket, 'thread:leave', async ({ threadId }) => {
      await socket.leave(rooms.thread(threadId));
      return {};
    });

    handle(deps, socket, 'comment:post', async (payload) => {
      const result = await postComment(deps, socket.data.actor, payload, { ip: socket.data.ip });
      if (!result.duplicate) deps.metrics.commentsPosted.inc({ transport: 'socket' });
      return result;
    });

    handle(deps, socket, 'comment:edit', (payload) => editComment(deps, socket.data.actor, payload, { ip: socket.data.ip }));

    handle(deps, socket, 'comment:delete', (payload) => deleteComment(deps, socket.data.actor, payload));

    handle(deps, socket, 'typing', async ({ threadId }) => {
      if (!socket.rooms.has(rooms.thread(threadId))) throw errors.forbidden('Join the thread before signalling typing');
      return signalTyping(deps, socket.data.actor, { threadId });
    });

    handle(deps, socket, 'auth:refresh', async ({ token }) => {
      const user = await authenticate(deps, token);
      const current = socket.data.actor;
      if (current && current.id !== user.id) throw errors.forbidden('The new token is for another user');
      if (!current) await socket.join(rooms.user(user.id));
      // The new token may carry another role.
      if (isModerator(user)) await socket.join(rooms.moderators);
      else await socket.leave(rooms.moderators);
      socket.data.actor = user;
      armExpiry(socket, user.expiresAt);
      return { expiresAt: user.expiresAt.toISOString() };
    });
  });
}
