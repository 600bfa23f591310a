import type { Namespace, Socket } from 'socket.io';
import { MODERATION_NAMESPACE, modRooms, type ModClientToServerEvents, type ModServerToClientEvents } from '../../contract/index.ts';
import { requireModerator, type AuthUser, type Deps } from '../context.ts';
import { errors } from '../errors.ts';
import type { ConnectionLimits } from '../limits/connections.ts';
import type { SocketFloodGuard } from '../limits/socket-flood.ts';
import { actingModerator } from '../usecases/moderation/acting.ts';
import { banUser, unbanUser } from '../usecases/moderation/ban-user.ts';
import { claimItem, releaseItem } from '../usecases/moderation/claims.ts';
import { moderateComment } from '../usecases/moderation/moderate-comment.ts';
import { updateThreadSettings } from '../usecases/update-thread-settings.ts';
import { closeIfBanned } from './access.ts';
import { admitEvent } from './flood-gate.ts';
import { syncMiddleware } from './gateway.ts';
import { handleMod } from './handle.ts';
import { armExpiry, clearExpiry } from './session.ts';
import { handshake } from './handshake.ts';
import type { InterServerEvents, IoServer, SocketData } from './types.ts';

type ModSocket = Socket<ModClientToServerEvents, ModServerToClientEvents, InterServerEvents, SocketData>;

interface Live {
  connections: ConnectionLimits;
  flood: SocketFloodGuard;
}

/**
 * The /moderation namespace: moderators' live feed and one-keystroke actions.
 * Admission goes through the same handshake as the default namespace (rate
 * per IP, connection caps shared with it) and needs a moderator or admin
 * token whose user is not banned; every event passes the same event rate and
 * checks again (role, expiry, ban) before acting. A ban made while connected
 * closes the socket (realtime/access.ts).
 */
export function attachModerationGateway(io: IoServer, deps: Deps, live: Live): void {
  io.of(MODERATION_NAMESPACE).use(syncMiddleware(handshake(deps, live.connections, (actor) => actingModerator(deps, actor))));
  const nsp = io.of(MODERATION_NAMESPACE) as unknown as Namespace<
    ModClientToServerEvents,
    ModServerToClientEvents,
    InterServerEvents,
    SocketData
  >;

  nsp.on('connection', (socket: ModSocket) => {
    socket.on('disconnect', () => {
      clearExpiry(socket);
      live.flood.forget(socket.id);
      void live.connections.disconnected(socket.id);
    });
    socket.use(([, ...args], next) => {
      admitEvent(deps, live.flood, socket, args).then(
        (allowed) => allowed && next(),
        (err: unknown) => deps.log.warn({ err, socketId: socket.id }, 'could not admit a moderation event; dropped'),
      );
    });
    // A ban made between the handshake's check and this socket being listed
    // here would have found no socket to close: look once more.
    deps.store.moderation.activeBan(socket.data.actor!.id).then(
      (ban) => closeIfBanned(socket, ban),
      (err: unknown) => deps.log.warn({ err, socketId: socket.id }, 'could not re-check the moderator for a ban'),
    );
    void socket.join(modRooms.all);
    const { id, handle, name, role, expiresAt } = socket.data.actor!;
    socket.emit('mod:session', { user: { id, handle, name, role } });
    armExpiry(socket, expiresAt);
    deps.store.moderation.queueCounts().then(
      (counts) => socket.emit('mod:event', { type: 'queues', counts }),
      // The counts come again with the next change to the queues.
      (err: unknown) => deps.log.debug({ err }, 'could not read queue counts for a new moderator'),
    );

    /** Who is acting; each use case re-checks the role and any ban on every event. */
    const moderator = async (): Promise<AuthUser> => {
      const actor = requireModerator(socket.data.actor);
      if (actor.expiresAt.getTime() <= deps.now().getTime()) throw errors.unauthenticated('Token has expired');
      return actor;
    };

    handleMod(deps, socket, 'mod:subscribe', async ({ threadIds }) => {
      await actingModerator(deps, await moderator());
      for (const room of socket.rooms) if (room !== socket.id) await socket.leave(room);
      if (!threadIds || threadIds.length === 0) await socket.join(modRooms.all);
      else for (const id of threadIds) await socket.join(modRooms.thread(id));
      return {};
    });
    handleMod(deps, socket, 'mod:claim', async (p) => claimItem(deps, await moderator(), p));
    handleMod(deps, socket, 'mod:release', async (p) => releaseItem(deps, await moderator(), p));
    handleMod(deps, socket, 'mod:action', async (p) => moderateComment(deps, await moderator(), p));
    handleMod(deps, socket, 'mod:ban', async ({ userId, ...rest }) => banUser(deps, await moderator(), { userId, ...rest }));
    handleMod(deps, socket, 'mod:unban', async (p) => unbanUser(deps, await moderator(), p));
    handleMod(deps, socket, 'mod:thread', async (p) => updateThreadSettings(deps, await moderator(), p));
  });
}
