import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { SOCKET_LIMITS } from '../../client/contract/index.ts';
import type { IoServer } from './types.ts';

/**
 * Browsers send an Origin header; with ALLOWED_ORIGINS set, a handshake from
 * any other origin is refused outright (not merely left without CORS
 * headers, which would still let a websocket through). Apps and servers send
 * no Origin and are not affected.
 */
function originAllowed(allowed: string[], origin: string | undefined): boolean {
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}

export function createSocketServer(httpServer: HttpServer, adapter: ServerOptions['adapter'], allowedOrigins: string[]): IoServer {
  return new Server(httpServer, {
    adapter,
    allowRequest: (req, callback) => {
      const ok = originAllowed(allowedOrigins, req.headers.origin);
      callback(ok ? null : 'origin not allowed', ok);
    },
    cors: { origin: allowedOrigins.length > 0 ? allowedOrigins : true },
    serveClient: false,
    // Larger packets are refused by Engine.IO before they are parsed.
    maxHttpBufferSize: SOCKET_LIMITS.maxPayloadBytes,
    connectTimeout: 10_000,
    pingInterval: 25_000,
    pingTimeout: 20_000,
  });
}
