import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contract/index.ts';
import type { Actor } from '../context.ts';
import type { InterServerEvents } from '../store/adapter-protocol.ts';

export type { InterServerEvents };

export interface SocketData {
  actor: Actor;
  /** The client's address, after trusted proxies. */
  ip: string;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
