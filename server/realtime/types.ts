import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../client/contract/index.ts';
import type { Actor } from '../context.ts';

export interface SocketData {
  actor: Actor;
  /** The client's address, after trusted proxies. */
  ip: string;
}

export interface InterServerEvents {}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
