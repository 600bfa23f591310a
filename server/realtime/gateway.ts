import { rooms, SOCKET_LIMITS } from '../../client/contract/index.ts';
import type { Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { authenticate } from '../usecases/authenticate.ts';
import { deleteComment } from '../usecases/delete-comment.ts';
import { editComment } from '../usecases/edit-comment.ts';
import { joinThread } from '../usecases/join-thread.ts';
import { postComment } from '../usecases/post-comment.ts';
import { handle } from './handle.ts';
import { handshakeAuth } from './handshake.ts';
import { armExpiry, clearExpiry } from './session.ts';
import type { IoServer, IoSocket } from './types.ts';

const THREAD_ROOM_PREFIX = rooms.thread('');

function joinedThreadCount(socket: IoSocket): number {
  let n = 0;
  for (const room of socket.rooms) if (room.startsWith(THREAD_ROOM_PREFIX)) n++;
  return n;
}

/** Wires the default namespace: each event parses, calls one use case, acks. */
export function attachGateway(io: IoServer, deps: Deps): void {
  io.use(handshakeAuth(deps));

  io.on('connection', (socket) => {
    deps.metrics.socketsConnected.inc();
    socket.on('disconnect', () => {
      deps.metrics.socketsConnected.dec();
      clearExpiry(socket);
    });

    const actor = socket.data.actor;
    if (actor) {
      void socket.join(rooms.user(actor.id));
      armExpiry(socket, actor.expiresAt);
    }
    socket.emit('session', {
      user: actor ? { id: actor.id, handle: actor.handle, name: actor.name, role: actor.role } : null,
      expiresAt: actor ? actor.expiresAt.toISOString() : null,
    });

    handle(deps, socket, 'thread:join', async ({ threadId, since }) => {
      const room = rooms.thread(threadId);
      const wasJoined = socket.rooms.has(room);
      try {
        return await joinThread(deps, { threadId, since }, () => {
          if (!wasJoined && joinedThreadCount(socket) >= SOCKET_LIMITS.maxJoinedThreads) {
            throw errors.forbidden(`A connection can follow at most ${SOCKET_LIMITS.maxJoinedThreads} threads; leave one first`);
          }
          return socket.join(room);
        });
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
      const result = await postComment(deps, socket.data.actor, payload);
      if (!result.duplicate) deps.metrics.commentsPosted.inc({ transport: 'socket' });
      return result;
    });

    handle(deps, socket, 'comment:edit', (payload) => editComment(deps, socket.data.actor, payload));

    handle(deps, socket, 'comment:delete', (payload) => deleteComment(deps, socket.data.actor, payload));

    handle(deps, socket, 'auth:refresh', async ({ token }) => {
      const user = await authenticate(deps, token);
      const current = socket.data.actor;
      if (current && current.id !== user.id) throw errors.forbidden('The new token is for another user');
      if (!current) await socket.join(rooms.user(user.id));
      socket.data.actor = user;
      armExpiry(socket, user.expiresAt);
      return { expiresAt: user.expiresAt.toISOString() };
    });
  });
}
