import type { Namespace, Socket } from 'socket.io';
import { MODERATION_NAMESPACE, modRooms, type ModClientToServerEvents, type ModServerToClientEvents } from '../../client/contract/index.ts';
import { requireModerator, type AuthUser, type Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { actingModerator } from '../usecases/moderation/acting.ts';
import { banUser, unbanUser } from '../usecases/moderation/ban-user.ts';
import { claimItem, releaseItem } from '../usecases/moderation/claims.ts';
import { moderateComment } from '../usecases/moderation/moderate-comment.ts';
import { updateThreadSettings } from '../usecases/update-thread-settings.ts';
import { handleMod } from './handle.ts';
import { armExpiry, clearExpiry } from './session.ts';
import { actorFromHandshake, connectionRefused } from './socket-auth.ts';
import type { InterServerEvents, IoServer, SocketData } from './types.ts';

type ModSocket = Socket<ModClientToServerEvents, ModServerToClientEvents, InterServerEvents, SocketData>;

/**
 * The /moderation namespace: moderators' live feed and one-keystroke actions.
 * Admission needs a moderator or admin token; every event checks again (role,
 * expiry, and that the moderator is not banned) before acting.
 */
export function attachModerationGateway(io: IoServer, deps: Deps): void {
  const nsp = io.of(MODERATION_NAMESPACE) as unknown as Namespace<ModClientToServerEvents, ModServerToClientEvents, InterServerEvents, SocketData>;

  nsp.use(async (socket, next) => {
    try {
      socket.data.actor = requireModerator(await actorFromHandshake(deps, socket));
      next();
    } catch (err) {
      next(connectionRefused(deps, err));
    }
  });

  nsp.on('connection', (socket: ModSocket) => {
    void socket.join(modRooms.all);
    armExpiry(socket, socket.data.actor!.expiresAt);
    socket.on('disconnect', () => clearExpiry(socket));
    deps.store.moderation.queueCounts().then(
      (counts) => socket.emit('mod:event', { type: 'queues', counts }),
      () => {},
    );

    /** Who is acting; each use case re-checks the role and any ban on every event. */
    const moderator = async (): Promise<AuthUser> => {
      const actor = requireModerator(socket.data.actor);
      if (actor.expiresAt.getTime() <= Date.now()) throw errors.unauthenticated('Token has expired');
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
