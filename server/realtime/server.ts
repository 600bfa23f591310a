import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { SOCKET_LIMITS } from '../../contract/index.ts';
import type { Config } from '../config.ts';
import { corsOrigin, originAllowed } from '../domain/origins.ts';
import type { IoServer } from './types.ts';

export function createSocketServer(
  httpServer: HttpServer,
  /** Undefined: Socket.IO's in-memory adapter (one process; the deflate bench). */
  adapter: ServerOptions['adapter'] | undefined,
  allowedOrigins: string[],
  transfer: Pick<Config['transfer'], 'perMessageDeflate'>,
): IoServer {
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
    // Off by default: deflate costs CPU on every delivery (each socket compresses its own copy of a
    // broadcast) and zlib memory per socket (docs/benchmarks.md has the measured trade-off). ws keeps
    // the compression context between messages, so it compresses every message whatever its size:
    // a size threshold would only apply without context takeover, which loses most of the gain on
    // small, similar events. Clients that do not offer the extension are served uncompressed.
    perMessageDeflate: transfer.perMessageDeflate,
  });
}
