import WebSocket from 'ws';
import type { Instance } from './cluster.ts';

/**
 * Talks to a test server process started with NODE_OPTIONS=--inspect=127.0.0.1:0 (port chosen by
 * the OS, printed on stderr) over the DevTools protocol: lets a memory test force a full garbage
 * collection without any test hook in server code.
 */
export async function inspect<T>(instance: Instance, run: (call: (method: string, params?: object) => Promise<unknown>) => Promise<T>) {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(instance.output())?.[1];
  if (!url) throw new Error(`no inspector URL in the server's output (started without --inspect?):\n${instance.output()}`);
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    return await run(call);
  } finally {
    ws.close();
  }
}

/** Full GC in the server process, then its V8 heap in use (bytes). */
export async function collectGarbage(instance: Instance): Promise<number> {
  return inspect(instance, async (call) => {
    await call('HeapProfiler.collectGarbage');
    const heap = (await call('Runtime.getHeapUsage')) as { usedSize: number };
    return heap.usedSize;
  });
}
