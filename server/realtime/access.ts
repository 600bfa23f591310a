import { MODERATION_NAMESPACE, rooms, type Ban } from '../../contract/index.ts';
import { isModerator, type Actor, type Deps } from '../context.ts';
import { bindingBan } from '../domain/ranks.ts';
import type { ServerEventPayload } from '../store/room-emitter.ts';
import { storedAccess } from '../usecases/moderation/acting.ts';
import type { IoServer, SocketData } from './types.ts';

const notice = (ban: Ban) => ({ until: ban.until, reason: ban.reason });

/** The `session` greeting: who the socket is, and the ban (if any) that keeps them from posting. */
export function sessionPayload(actor: Actor, ban: Ban | null): ServerEventPayload<'session'> {
  const binding = actor ? bindingBan(ban, actor.role) : null;
  return {
    user: actor ? { id: actor.id, handle: actor.handle, name: actor.name, role: actor.role } : null,
    expiresAt: actor ? actor.expiresAt.toISOString() : null,
    banned: binding ? notice(binding) : null,
  };
}

/**
 * Makes bans and unbans reach live connections on every server. Whoever bans
 * or unbans publishes `user:access` through the adapter (RoomEmitter
 * .accessChanged); every server, the publisher's too, re-reads the user's ban
 * and applies it to its own sockets of that user: reader sockets get a new
 * `session` (with `account:banned` first when banned) and stay connected,
 * since a ban takes posting, not reading; /moderation sockets are told and
 * closed. Reading the ban rather than trusting the message makes a quick ban
 * then unban end in the right state whatever the order of arrival.
 */
export function attachAccessUpdates(io: IoServer, deps: Deps): void {
  io.of('/').on('user:access', (userId: string) => {
    applyAccess(io, deps, userId).catch((err: unknown) => deps.log.warn({ err, userId }, 'could not apply a ban to live sockets'));
  });
  io.of('/').on('user:erased', (userId: string) => closeErased(io, deps, userId));
}

/** The user's live sockets on this server, in both namespaces. */
function socketsOf(io: IoServer, userId: string) {
  const readerNsp = io.of('/');
  const readers = [...(readerNsp.adapter.rooms.get(rooms.user(userId)) ?? [])]
    .map((id) => readerNsp.sockets.get(id))
    .filter((s) => s !== undefined);
  // Moderation sockets are few and may leave every room (mod:subscribe), so they are found by their actor.
  const moderators = [...io.of(MODERATION_NAMESPACE).sockets.values()].filter((s) => s.data.actor?.id === userId);
  return { readers, moderators };
}

/**
 * An erased user's sockets are signed in as an account that no longer
 * exists: left open they could post under its handle again. Their identity
 * is forgotten first, so the next request re-checks the token against the
 * erasure (usecases/authenticate.ts) instead of trusting this server's cache.
 */
function closeErased(io: IoServer, deps: Deps, userId: string): void {
  deps.identities.forget(userId);
  const { readers, moderators } = socketsOf(io, userId);
  const closing = { code: 'unauthenticated', reason: 'This account was erased; sign in again' } as const;
  for (const socket of [...readers, ...moderators]) {
    socket.emit('connection:closing', closing);
    socket.disconnect(true);
  }
}

/**
 * Also carries role changes (usecases/authenticate.ts): sockets take the
 * stored role, the newest token's, whatever token they connected with; a
 * /moderation socket of a user who is no longer a moderator is told and closed.
 */
async function applyAccess(io: IoServer, deps: Deps, userId: string): Promise<void> {
  // This server may hold the user's old role in its identity cache.
  deps.identities.forget(userId);
  const { readers, moderators } = socketsOf(io, userId);
  if (readers.length === 0 && moderators.length === 0) return;

  const { role, ban } = await storedAccess(deps, userId);
  for (const socket of readers) {
    let actor = socket.data.actor;
    if (actor?.id !== userId) continue;
    if (role && role !== actor.role) {
      actor = socket.data.actor = { ...actor, role };
      if (isModerator(actor)) await socket.join(rooms.moderators);
      else await socket.leave(rooms.moderators);
    }
    const binding = bindingBan(ban, actor.role);
    if (binding) socket.emit('account:banned', notice(binding));
    socket.emit('session', sessionPayload(actor, ban));
  }
  for (const socket of moderators) {
    const actor = socket.data.actor!;
    if (role && role !== actor.role) socket.data.actor = { ...actor, role };
    if (!isModerator(socket.data.actor)) {
      socket.emit('connection:closing', { code: 'forbidden', reason: 'Your role no longer includes moderation' });
      socket.disconnect(true);
      continue;
    }
    closeIfBanned(socket, ban);
  }
}

/** Tells a /moderation socket it was banned and closes it, if the ban binds its user. */
export function closeIfBanned(
  socket: {
    data: SocketData;
    emit(event: 'account:banned', notice: ServerEventPayload<'account:banned'>): unknown;
    disconnect(close: boolean): unknown;
  },
  ban: Ban | null,
): void {
  const binding = bindingBan(ban, socket.data.actor!.role);
  if (!binding) return;
  socket.emit('account:banned', notice(binding));
  socket.disconnect(true);
}
