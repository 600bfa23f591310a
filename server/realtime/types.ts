import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contract/index.ts';
import type { Actor } from '../context.ts';

export interface SocketData {
  actor: Actor;
  /** The client's address, after trusted proxies. */
  ip: string;
}

/** Sent between servers through the adapter (RoomEmitter.serverSideEmit). */
export interface InterServerEvents {
  /** The user's ban was made or lifted: apply it to their live sockets here (realtime/access.ts). */
  'user:access': (userId: string) => void;
  /** The user was erased: forget their identity and close their live sockets here (realtime/access.ts). */
  'user:erased': (userId: string) => void;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
