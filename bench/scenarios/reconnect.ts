/**
 * Scenario 4, reconnect storm: 2.5k SDK clients follow one thread through a
 * load balancer in front of two instances; one instance is killed (SIGKILL)
 * while a poster keeps posting. We measure how long until 99% and 100% of the
 * clients that lost their server are caught up again, whether every client
 * ends with every comment (missed-comment recovery), and duplicates.
 */
import type { ThreadEvent } from '../../contract/index.ts';
import { connect, type ThreadlineClient, type ThreadView } from '../../client/sdk/index.ts';
import { signToken } from '../../server/auth/tokens.ts';
import { Balancer } from '../../test/support/balancer.ts';
import { startRedis } from '../../test/support/redis.ts';
import { Cleanup } from '../lib/cleanup.ts';
import { BENCH_RELAXED_LIMITS, BENCH_SECRET, startServerProcess, type ServerProcess } from '../lib/processes.ts';
import { connectSocket } from '../lib/sockets.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generatorCpu } from '../lib/cpu.ts';
import { round, type Scenario } from '../lib/types.ts';

const THREAD = 'bench-storm';

interface Follower {
  sdk: ThreadlineClient;
  view: ThreadView;
  offsets: number[];
  /** Lost its server in the kill. */
  affected: boolean;
  recoveredAt: number | undefined;
}

export const reconnect: Scenario = async (ctx) => {
  const clients = ctx.quick ? 200 : 2_500;
  const rate = ctx.quick ? 10 : 20;
  const cleanup = new Cleanup();
  try {
    const redis = cleanup.add(await startRedis(), (r) => r.stop());
    const env = { REDIS_URL: redis.url, WORKERS: 'off', ...BENCH_RELAXED_LIMITS, PRESENCE_INTERVAL_MS: '60000' };
    const servers: ServerProcess[] = [];
    cleanup.defer(() => Promise.all(servers.map((s) => s.stop())));
    for (let i = 0; i < 2; i++) servers.push(await startServerProcess(env));
    const alive = new Set(servers.map((s) => s.port));
    const balancer = cleanup.add(new Balancer(() => [...alive]), (b) => b.stop());
    await balancer.start();
    const sdks: ThreadlineClient[] = [];
    cleanup.defer(() => sdks.forEach((sdk) => sdk.close()));
    const followers: Follower[] = [];
    const poster = cleanup.add(
      await connectSocket(servers[0]!.url, {
        transports: ['websocket'],
        auth: { token: await signToken(BENCH_SECRET, { sub: 'storm-poster', handle: 'storm_poster', name: 'Poster', role: 'moderator' }) },
      }),
      (p) => p.disconnect(),
    );
    for (let i = 0; i < clients; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, clients - i) }, async () => {
          const offsets: number[] = [];
          // WebSocket only: this balancer spreads TCP connections round robin, which long-polling's
          // several requests per session cannot survive (a real deployment pins them: README, polling).
          const sdk = connect({
            url: balancer.url,
            socket: { transports: ['websocket'], reconnectionDelay: 250, reconnectionDelayMax: 2_000 },
          });
          sdks.push(sdk);
          const view = await sdk.joinThread(THREAD, { onEvent: (e: ThreadEvent) => offsets.push(e.offset) });
          followers.push({ sdk, view, offsets, affected: false, recoveredAt: undefined });
        }),
      );
    }
    ctx.log(`  ${clients} clients following through the balancer`);

    let latestAcked = 0;
    let posting = true;
    let seq = 0;
    const posted: Promise<void>[] = [];
    const postLoop = (async () => {
      while (posting) {
        const n = seq++;
        posted.push(
          (
            poster
              .timeout(10_000)
              .emitWithAck('comment:post', { threadId: THREAD, body: `storm ${n}`, clientId: `storm-${n}-00000` }) as Promise<{
              ok: boolean;
              comment?: { offset: number };
            }>
          ).then(
            (ack) => {
              if (ack.ok && ack.comment) latestAcked = Math.max(latestAcked, ack.comment.offset);
            },
            () => {},
          ),
        );
        await new Promise((r) => setTimeout(r, 1000 / rate));
      }
    })();
    await new Promise((r) => setTimeout(r, 1_000));

    // Which clients are on the instance we kill: those whose socket goes down.
    const victim = servers[1]!;
    for (const f of followers) f.sdk.socket.once('disconnect', () => (f.affected = true));
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpu = generatorCpu();
    const killedAt = performance.now();
    alive.delete(victim.port);
    victim.child.kill('SIGKILL');

    const timeline: { ms: number; recovered: number }[] = [];
    const deadline = killedAt + (ctx.quick ? 15_000 : 30_000);
    let affected: Follower[] = [];
    while (performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      affected = followers.filter((f) => f.affected);
      const now = performance.now();
      // Caught up: connected again and holding everything acknowledged a moment ago (events in flight aside).
      const target = latestAcked - Math.ceil(rate / 5);
      for (const f of affected) {
        if (f.recoveredAt === undefined && f.sdk.connected && f.view.at.offset >= target) f.recoveredAt = now - killedAt;
      }
      const recovered = affected.filter((f) => f.recoveredAt !== undefined).length;
      timeline.push({ ms: Math.round(now - killedAt), recovered });
      if (affected.length > 0 && recovered === affected.length && now - killedAt > 2_000) break;
    }
    lag.disable();
    const generatorLagP99 = round(lag.percentile(99) / 1e6, 0);
    const generatorLoad = round(cpu.fractionOfCore(), 2);
    posting = false;
    await postLoop;
    await Promise.all(posted);
    await new Promise((r) => setTimeout(r, 2_000));

    const finalOffset = latestAcked;
    const times = affected
      .map((f) => f.recoveredAt)
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    const at = (fraction: number) =>
      times.length >= Math.ceil(affected.length * fraction) ? round(times[Math.ceil(affected.length * fraction) - 1]!, 0) : Number.NaN;
    const complete = followers.filter((f) => f.view.at.offset >= finalOffset).length;
    const duplicates = followers.reduce((n, f) => n + (f.offsets.length - new Set(f.offsets).size), 0);
    const outOfOrder = followers.filter((f) => f.offsets.some((o, i) => i > 0 && o <= f.offsets[i - 1]!)).length;
    const marks = [0.1, 0.5, 0.9, 0.99].map((q) => `${q * 100}% at ${at(q)} ms`).join(', ');
    ctx.log(`  recovery curve: ${marks}`);
    ctx.log(
      `  ${affected.length} clients lost their server; 99% back in ${at(0.99)} ms, all in ${at(1)} ms; ${complete}/${followers.length} hold every comment; ${duplicates} duplicates`,
    );
    // The clients, the balancer and the measuring loop share one process: when its event loop stalls,
    // recovery times measure the generator as much as the servers.
    const generatorBound = generatorLagP99 > 200;
    return {
      name: 'reconnect storm',
      valid: affected.length > 0 && !generatorBound,
      notes: [
        `${affected.length} of ${clients} clients were on the killed instance; posting continued at ${rate}/s on the other`,
        `load generator during the storm: ${Math.round(generatorLoad * 100)}% of a core, event-loop delay p99 ${generatorLagP99} ms${generatorBound ? ' (saturated: recovery times include its own delay)' : ''}`,
      ],
      raw: { timeline, finalOffset, affected: affected.length },
      metrics: [
        {
          name: 'time until 99% of affected clients caught up',
          value: at(0.99),
          unit: 'ms',
          target: 'p99 ≤ 2,000 ms',
          meetsTarget: at(0.99) <= 2_000,
        },
        { name: 'time until 100% caught up', value: at(1), unit: 'ms' },
        {
          name: 'clients holding every comment at the end',
          value: round((complete / followers.length) * 100, 2),
          unit: '%',
          target: '100%',
          meetsTarget: complete === followers.length,
        },
        { name: 'duplicate events delivered to the app', value: duplicates, unit: 'events', target: '0', meetsTarget: duplicates === 0 },
        { name: 'clients that saw an event out of order', value: outOfOrder, unit: 'clients', target: '0', meetsTarget: outOfOrder === 0 },
      ],
    };
  } finally {
    await cleanup.run();
  }
};
