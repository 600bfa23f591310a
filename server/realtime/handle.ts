import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { clientEvents, modClientEvents } from '../../client/contract/index.ts';
import type { Deps } from '../context.ts';
import { parseInput, toAppError } from '../errors.ts';

type EventMap = Record<string, { request: z.ZodType; response: z.ZodType }>;

/**
 * Registers a client event: validates the payload against the contract, runs
 * the handler and answers the ack with `{ok: true, ...}` or `{ok: false, error}`.
 * Events sent without an ack callback are ignored: there is no way to answer.
 */
function register<M extends EventMap, E extends keyof M & string>(
  deps: Deps,
  map: M,
  socket: Socket,
  event: E,
  handler: (payload: z.output<M[E]['request']>) => Promise<z.output<M[E]['response']>>,
): void {
  const schema = map[event]!.request;
  (socket as unknown as { on(name: string, fn: (...args: unknown[]) => void): void }).on(event, (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') return;
    const end = deps.metrics.ackLatency.startTimer({ transport: 'socket', operation: event });
    const run = async () => handler(parseInput(schema, args.length > 1 ? args[0] : undefined) as z.output<M[E]['request']>);
    run().then(
      (result) => {
        end();
        ack({ ok: true, ...(result as object) });
      },
      (err: unknown) => {
        end();
        const error = toAppError(err);
        deps.metrics.errors.inc({ transport: 'socket', code: error.code });
        const logged = { code: error.code, event, socket: socket.id, ...error.context, err: error.cause ?? undefined };
        if (error.status >= 500) deps.log.error(logged, error.message);
        else deps.log.debug(logged, error.message);
        ack({ ok: false, error: error.toBody() });
      },
    );
  });
}

type Clients = typeof clientEvents;
type Mods = typeof modClientEvents;

export function handle<E extends keyof Clients & string>(
  deps: Deps,
  socket: Socket,
  event: E,
  handler: (payload: z.output<Clients[E]['request']>) => Promise<z.output<Clients[E]['response']>>,
): void {
  register(deps, clientEvents, socket, event, handler);
}

export function handleMod<E extends keyof Mods & string>(
  deps: Deps,
  socket: Socket,
  event: E,
  handler: (payload: z.output<Mods[E]['request']>) => Promise<z.output<Mods[E]['response']>>,
): void {
  register(deps, modClientEvents, socket, event, handler);
}
