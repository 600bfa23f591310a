import { clientEvents, type ClientEventName, type EventResponse } from '../../client/contract/index.ts';
import type { z } from 'zod';
import type { Deps } from '../context.ts';
import { parseInput, toAppError } from '../errors.ts';
import type { IoSocket } from './types.ts';

type Request<E extends ClientEventName> = z.output<(typeof clientEvents)[E]['request']>;

/**
 * Registers a client event: validates the payload against the contract, runs
 * the handler and answers the ack with `{ok: true, ...}` or `{ok: false, error}`.
 * Events sent without an ack callback are ignored: there is no way to answer.
 */
export function handle<E extends ClientEventName>(
  deps: Deps,
  socket: IoSocket,
  event: E,
  handler: (payload: Request<E>) => Promise<EventResponse<E>>,
): void {
  const schema = clientEvents[event].request;
  (socket as unknown as { on(name: string, fn: (...args: unknown[]) => void): void }).on(event, (...args) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') return;
    const end = deps.metrics.ackLatency.startTimer({ transport: 'socket', operation: event });
    const run = async () => handler(parseInput(schema, args.length > 1 ? args[0] : undefined) as Request<E>);
    run().then(
      (result) => {
        end();
        ack({ ok: true, ...result });
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
