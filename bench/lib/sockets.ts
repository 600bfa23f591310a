import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

/**
 * A socket.io-client socket, once it is connected (or, with `until`, once the
 * server has sent that event, e.g. 'session'). Rejects on the first
 * connect_error or after `timeoutMs`, naming the URL, and then disconnects
 * the socket so it stops retrying.
 */
export function connectSocket(
  url: string,
  opts: Partial<ManagerOptions & SocketOptions> = {},
  { until = 'connect', timeoutMs = 15_000 }: { until?: string; timeoutMs?: number } = {},
): Promise<Socket> {
  const socket = io(url, opts);
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(new Error(`socket.io connection to ${url} failed: ${err.message}`, { cause: err }));
    };
    const timer = setTimeout(() => fail(new Error(`no '${until}' within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect_error', fail);
    socket.once(until, () => {
      clearTimeout(timer);
      socket.off('connect_error', fail);
      resolve(socket);
    });
  });
}
