import type { Logger } from '../logger.ts';
import type { IoServer } from './types.ts';

/** What Engine.IO's connection exposes that its public types do not: the packets not yet handed to the transport. */
interface EngineConn {
  writeBuffer: { data?: unknown }[];
  transport: { name: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  on(event: 'packetCreate', listener: () => void): void;
  close(discard?: boolean): void;
}

const bytesOf = (data: unknown) =>
  typeof data === 'string' ? data.length : Buffer.isBuffer(data) ? data.length : data instanceof ArrayBuffer ? data.byteLength : 0;

/**
 * A reader that stops reading its socket (stalled, or on purpose) makes every event for it pile up in
 * server memory: Engine.IO queues packets while the transport is not writable, and ws queues bytes
 * the kernel would not take. Neither has a limit, so a few such sockets on a busy thread would grow
 * the process without bound. Once a connection holds more than `maxBytes` unsent, it is cut (no
 * closing handshake: the peer is not reading it); a healthy client reconnects and re-syncs from
 * its offset.
 */
export function guardSendBuffers(io: IoServer, maxBytes: number, log: Logger): void {
  io.engine.on('connection', (conn: EngineConn) => {
    conn.on('packetCreate', () => {
      // Cheap test first: a reader that keeps up has an empty or one-packet queue.
      if (conn.writeBuffer.length < 2 && !(conn.transport.socket?.bufferedAmount ?? 0)) return;
      let queued = conn.transport.socket?.bufferedAmount ?? 0;
      for (const packet of conn.writeBuffer) queued += bytesOf(packet.data);
      if (queued <= maxBytes) return;
      log.warn({ queued, transport: conn.transport.name }, 'closing a connection that does not read what it is sent');
      // Discard: close() would otherwise wait for the queue to drain, which a non-reader never does.
      conn.close(true);
      conn.transport.socket?.terminate?.();
    });
  });
}
