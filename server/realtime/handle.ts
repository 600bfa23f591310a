import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { modClientEvents } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import { parseInput, toAppError } from '../errors.ts';

type EventMap = Record<string, { request: z.ZodType; response: z.ZodType }>;

/** The acknowledgement callback a socket.io client sends as an event's last argument. */
export type Ack = (response: unknown) => void;

/** Whether an event argument is the client's ack callback. */
export function isAck(value: unknown): value is Ack {
  return typeof value === 'function';
}

/**
 * Answers one client event: validates the payload against the contract, runs
 * the handler and answers the ack with `{ok: true, ...}` or `{ok: false, error}`.
 * Events sent without an ack callback are ignored: there is no way to answer.
 */
export function answer(
  deps: Deps,
  socket: Socket,
  event: string,
  schema: z.ZodType,
  args: unknown[],
  handler: (payload: never) => Promise<unknown>,
): void {
  const ack = args.at(-1);
  if (!isAck(ack)) return;
  const end = deps.metrics.ackLatency.startTimer({ transport: 'socket', operation: event });
  const run = async () => handler(parseInput(schema, args.length > 1 ? args[0] : undefined) as never);
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
}

/** Registers a listener per event (fine for the few sockets of the moderation namespace). */
function register<M extends EventMap, E extends keyof M & string>(
  deps: Deps,
  map: M,
  socket: Socket,
  event: E,
  handler: (payload: z.output<M[E]['request']>) => Promise<z.output<M[E]['response']>>,
): void {
  const schema = map[event]!.request;
  (socket as unknown as { on(name: string, fn: (...args: unknown[]) => void): void }).on(event, (...args: unknown[]) =>
    answer(deps, socket, event, schema, args, handler),
  );
}

type Mods = typeof modClientEvents;

export function handleMod<E extends keyof Mods>(
  deps: Deps,
  socket: Socket,
  event: E,
  handler: (payload: z.output<Mods[E]['request']>) => Promise<z.output<Mods[E]['response']>>,
): void {
  register(deps, modClientEvents, socket, event, handler);
}
