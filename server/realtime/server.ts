import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { SOCKET_LIMITS } from '../../contract/index.ts';
import { corsOrigin, originAllowed } from '../domain/origins.ts';
import type { IoServer } from './types.ts';

export function createSocketServer(httpServer: HttpServer, adapter: ServerOptions['adapter'], allowedOrigins: string[]): IoServer {
  return new Server(httpServer, {
    adapter,
    allowRequest: (req, callback) => {
      const ok = originAllowed(allowedOrigins, req.headers.origin);
      callback(ok ? null : 'origin not allowed', ok);
    },
    cors: { origin: corsOrigin(allowedOrigins) },
    serveClient: false,
    // Larger packets are refused by Engine.IO before they are parsed.
    maxHttpBufferSize: SOCKET_LIMITS.maxPayloadBytes,
    connectTimeout: 10_000,
    pingInterval: 25_000,
    pingTimeout: 20_000,
  });
}
