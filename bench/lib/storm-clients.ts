/**
 * One share of the reconnect storm's SDK clients, in its own process, so that
 * thousands of clients catching up at once do not stall one event loop (which
 * would then be what the storm measures). Run by bench/scenarios/reconnect.ts
 * with `node --import tsx bench/lib/storm-clients.ts <url> <restUrl> <threadId> <count>`;
 * it talks to its parent over IPC:
 *
 *   child → parent  {type: 'ready'}                       every client follows the thread
 *   parent → child  {type: 'watch'}                       the kill is about to happen
 *   parent → child  {type: 'target', offset, killedAt}    caught up = connected and at ≥ offset, or at
 *                                                          least as far as this process's clients that kept their server
 *   child → parent  {type: 'progress', affected, recovered}
 *   parent → child  {type: 'finish', finalOffset}
 *   child → parent  {type: 'result', ...StormShare}
 *
 * Times are wall-clock ms (performance.timeOrigin + performance.now()), the
 * same clock in every process on the machine.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect, type ThreadlineClient, type ThreadView } from '../../client/sdk/index.ts';
import type { ThreadEvent } from '../../contract/index.ts';
import { generatorCpu } from './cpu.ts';

export interface StormShare {
  clients: number;
  affected: number;
  /** ms from the kill until each affected client had caught up. */
  recoveredMs: number[];
  /** Clients holding every acknowledged comment at the end. */
  complete: number;
  duplicates: number;
  outOfOrder: number;
  lagP99Ms: number;
  cpuOfCore: number;
}

export type StormCommand =
  { type: 'watch' } | { type: 'target'; offset: number; killedAt: number } | { type: 'finish'; finalOffset: number };
export type StormReport = { type: 'ready' } | { type: 'progress'; affected: number; recovered: number } | ({ type: 'result' } & StormShare);

interface Follower {
  sdk: ThreadlineClient;
  view: ThreadView;
  offsets: number[];
  affected: boolean;
  recoveredAt: number | undefined;
}

const JOINS_AT_ONCE = 25;

const wallNow = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const [url, restUrl, threadId, countArg] = process.argv.slice(2);
  // REST goes straight to the instance that survives: the balancer spreads TCP connections round
  // robin, and a REST connection and a socket per client would put every socket on one instance.
  const restFetch: typeof fetch = (input, init) =>
    fetch((input instanceof Request ? input.url : input.toString()).replace(url!, restUrl!), init);
  const count = Number(countArg);
  const send = (report: StormReport) => process.send!(report);
  const followers: Follower[] = [];
  const follow = async (): Promise<Follower> => {
    const offsets: number[] = [];
    // WebSocket only: the balancer spreads TCP connections round robin, which long-polling's
    // several requests per session cannot survive (a real deployment pins them: README, polling).
    const sdk = connect({
      url: url!,
      fetch: restFetch,
      socket: { transports: ['websocket'], reconnectionDelay: 250, reconnectionDelayMax: 2_000 },
    });
    try {
      const view = await sdk.joinThread(threadId!, { onEvent: (e: ThreadEvent) => offsets.push(e.offset) });
      return { sdk, view, offsets, affected: false, recoveredAt: undefined };
    } catch (err) {
      sdk.close();
      throw err;
    }
  };
  // A few at a time per process (the parent starts several): the set-up is not what we measure, and
  // on a busy machine hundreds of joins at once time out. A join that fails is tried again.
  for (let i = 0; i < count; i += JOINS_AT_ONCE) {
    await Promise.all(
      Array.from({ length: Math.min(JOINS_AT_ONCE, count - i) }, async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            followers.push(await follow());
            return;
          } catch (err) {
            if (attempt === 3) throw err;
          }
        }
      }),
    );
  }
  const lag = monitorEventLoopDelay({ resolution: 10 });
  let cpu = generatorCpu();
  let target = Number.POSITIVE_INFINITY;
  let killedAt = 0;
  const check = () => {
    const now = wallNow();
    let affected = 0;
    let recovered = 0;
    // Where the clients that kept their server are: on a busy machine live delivery itself lags the
    // acks by more than the parent's slack, and a client is caught up once it is where they are.
    let live = Number.POSITIVE_INFINITY;
    for (const f of followers) if (!f.affected) live = Math.min(live, f.view.at.offset);
    const caughtUp = Math.min(target, live);
    for (const f of followers) {
      if (!f.affected) continue;
      affected++;
      if (f.recoveredAt === undefined && f.sdk.connected && f.view.at.offset >= caughtUp) f.recoveredAt = now - killedAt;
      if (f.recoveredAt !== undefined) recovered++;
    }
    send({ type: 'progress', affected, recovered });
  };
  process.on('message', (command: StormCommand) => {
    if (command.type === 'watch') {
      for (const f of followers) f.sdk.socket.once('disconnect', () => (f.affected = true));
      lag.enable();
      cpu = generatorCpu();
    } else if (command.type === 'target') {
      target = command.offset;
      killedAt = command.killedAt;
      check();
    } else {
      lag.disable();
      const result: StormShare = {
        clients: followers.length,
        affected: followers.filter((f) => f.affected).length,
        recoveredMs: followers.flatMap((f) => (f.affected && f.recoveredAt !== undefined ? [f.recoveredAt] : [])),
        complete: followers.filter((f) => f.view.at.offset >= command.finalOffset).length,
        duplicates: followers.reduce((n, f) => n + (f.offsets.length - new Set(f.offsets).size), 0),
        outOfOrder: followers.filter((f) => f.offsets.some((o, i) => i > 0 && o <= f.offsets[i - 1]!)).length,
        lagP99Ms: Math.round(lag.percentile(99) / 1e6),
        cpuOfCore: cpu.fractionOfCore(),
      };
      for (const f of followers) f.sdk.close();
      send({ type: 'result', ...result });
      process.disconnect();
    }
  });
  send({ type: 'ready' });
}

void main();
