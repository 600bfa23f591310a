/**
 * Scenario 2, posting: comments accepted per second through the whole path
 * (token, posting limits, validation, automatic moderation, mentions, the
 * write script with its live publish, screening and notification enqueue) at
 * an ack p99 of at most 50 ms, and Redis commands per comment; against the
 * posting floor measured in the same run (bench/baselines/floor-server.ts:
 * Socket.IO with the same adapter whose handler runs one HSET + XADD +
 * SPUBLISH script and acks). Target: Threadline ≥ 0.5× the floor.
 *
 * One `npm start` process (workers in their own process are not started, so
 * the figure is the server's) and one floor process, each on its own Redis,
 * driven by the same generator: 50 posters over sockets, 20 viewers, rates
 * rising a step at a time (open loop: latency counts from each post's intended
 * send time).
 */
import { Redis } from 'ioredis';
import { signToken } from '../../server/auth/tokens.ts';
import { startRedis } from '../../test/support/redis.ts';
import { Cleanup } from '../lib/cleanup.ts';
import { GENERATOR_SATURATED, generatorCpu, processCpu } from '../lib/cpu.ts';
import { LeanClient, openMany } from '../lib/lean-client.ts';
import { sendOpenLoop } from '../lib/pacing.ts';
import { BENCH_RELAXED_LIMITS, BENCH_SECRET, startBaselineProcess, startServerProcess, type ServerProcess } from '../lib/processes.ts';
import { latencyHistogram } from '../lib/stats.ts';
import { ratioMetric, round, type Scenario, type ScenarioContext } from '../lib/types.ts';

const POSTERS = 50;
const THREADS = 20;
const P99_LIMIT_MS = 50;
const FLOOR_TARGET = 0.5;

async function commandCount(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const line of info.split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m && m[1] !== 'info') calls += Number(m[2]);
  }
  return calls;
}

interface Step {
  rate: number;
  sent: number;
  accepted: number;
  p50: number;
  p99: number;
  generatorCpu: number;
  serverCpu: number;
  commandsPerComment: number;
}

/** Raises the rate until a step is not all accepted or its p99 is far past the limit; every step's figures. */
async function ladder(
  ctx: ScenarioContext,
  label: string,
  server: ServerProcess,
  admin: Redis,
  tokens: string[],
  cleanup: Cleanup,
  maxSteps: number,
): Promise<Step[]> {
  const posters = await openMany((i) => new LeanClient(server.url, 'none', tokens[i] ? { token: tokens[i] } : {}), POSTERS, 50);
  cleanup.defer(() => posters.forEach((c) => c.close()));
  const viewers = await openMany(() => new LeanClient(server.url, 'thread:event'), 20);
  cleanup.defer(() => viewers.forEach((c) => c.close()));
  await Promise.all(viewers.map((v, i) => v.request('thread:join', { threadId: `bench-post-${i % THREADS}` })));

  let seq = 0;
  const send = (n: number) =>
    posters[n % POSTERS]!.request('comment:post', {
      threadId: `bench-post-${n % THREADS}`,
      body: n % 10 === 0 ? `@bench_target comment ${n}, what do you think?` : `comment number ${n} on this article, with some words in it`,
      clientId: `bench-post-${n}-000`,
    });
  // Warm-up, not measured: JIT, scripts loaded, threads and users created.
  const warm: Promise<unknown>[] = [];
  await sendOpenLoop(ctx.quick ? 50 : 150, 50, () => void warm.push(send(seq++)));
  await Promise.race([Promise.all(warm), new Promise((r) => setTimeout(r, 10_000))]);

  const steps: Step[] = [];
  let rate = 100;
  for (let step = 0; step < maxSteps; step++) {
    const seconds = ctx.quick ? 1 : 3;
    const total = Math.round(rate * seconds);
    const hist = latencyHistogram();
    let accepted = 0;
    const commandsBefore = await commandCount(admin);
    const gen = generatorCpu();
    const srv = processCpu(server.child.pid!);
    const pending: Promise<void>[] = [];
    await sendOpenLoop(total, rate, (_, at) => {
      pending.push(
        send(seq++).then((ack) => {
          hist.record(performance.now() - at);
          if ((ack as { ok: boolean }).ok) accepted++;
        }),
      );
    });
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 10_000))]);
    const commands = (await commandCount(admin)) - commandsBefore;
    const s = hist.summary();
    const result = {
      rate,
      sent: total,
      accepted,
      p50: s.p50,
      p99: s.p99,
      generatorCpu: round(gen.fractionOfCore()),
      serverCpu: round(srv.fractionOfCore()),
      commandsPerComment: round(commands / Math.max(1, accepted), 1),
    };
    steps.push(result);
    ctx.log(
      `  ${label} ${rate}/s: accepted ${accepted}/${total}, ack p50 ${s.p50} ms p99 ${s.p99} ms, server ${(result.serverCpu * 100).toFixed(0)}% / generator ${(result.generatorCpu * 100).toFixed(0)}% of a core, ${result.commandsPerComment} Redis commands per comment`,
    );
    if (accepted < total || s.p99 > P99_LIMIT_MS * 4) break;
    rate = Math.round(rate * (ctx.quick ? 2 : 1.4));
  }
  posters.forEach((c) => c.close());
  viewers.forEach((c) => c.close());
  return steps;
}

const best = (steps: Step[]) => steps.filter((s) => s.accepted === s.sent && s.p99 <= P99_LIMIT_MS).at(-1);

export const posting: Scenario = async (ctx) => {
  // BENCH_PROFILE=<dir> writes a CPU profile of the server (node --cpu-prof) for docs/benchmarks.md.
  const profileDir = process.env.BENCH_PROFILE;
  const maxSteps = ctx.quick ? 5 : 14;
  const notes: string[] = [];
  let threadline: Step[];
  let floor: Step[];
  {
    const cleanup = new Cleanup();
    try {
      const redis = cleanup.add(await startRedis(), (r) => r.stop());
      const server = cleanup.add(
        await startServerProcess(
          { REDIS_URL: redis.url, WORKERS: 'off', ...BENCH_RELAXED_LIMITS },
          profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
        ),
        (s) => s.stop(),
      );
      const admin = cleanup.add(new Redis(redis.url), (r) => r.disconnect());
      // A user to mention, so mention resolution and notification jobs are part of the path.
      const target = await signToken(BENCH_SECRET, { sub: 'bench-target', handle: 'bench_target', name: 'Target', role: 'commenter' });
      await fetch(`${server.url}/api/threads/warmup`, { headers: { authorization: `Bearer ${target}` } });
      const tokens = await Promise.all(
        Array.from({ length: POSTERS }, (_, i) =>
          signToken(BENCH_SECRET, { sub: `bench-poster-${i}`, handle: `bench_poster_${i}`, name: `Poster ${i}`, role: 'commenter' }),
        ),
      );
      threadline = await ladder(ctx, 'threadline', server, admin, tokens, cleanup, maxSteps);
    } finally {
      await cleanup.run();
    }
  }
  {
    const cleanup = new Cleanup();
    try {
      const redis = cleanup.add(await startRedis(), (r) => r.stop());
      const server = cleanup.add(await startBaselineProcess('floor-server', [redis.url]), (s) => s.stop());
      const admin = cleanup.add(new Redis(redis.url), (r) => r.disconnect());
      floor = await ladder(ctx, 'floor', server, admin, [], cleanup, maxSteps);
    } finally {
      await cleanup.run();
    }
  }

  const t = best(threadline);
  const f = best(floor);
  const generatorBound = [t, f].some((s) => s !== undefined && s.generatorCpu >= GENERATOR_SATURATED);
  if (generatorBound) notes.push('the load generator was saturated at a best step');
  if (!t) notes.push(`Threadline: no step met ack p99 ≤ ${P99_LIMIT_MS} ms`);
  if (f && f === floor.at(-1) && floor.length === maxSteps)
    notes.push('the floor met the limit at the top of the ladder: its figure is a lower bound');
  notes.push('one server process on a machine shared with Redis and the load generator; workers not running');
  const accepted = t?.rate ?? 0;
  return {
    name: 'posting',
    valid: !generatorBound,
    notes,
    raw: { threadline, floor },
    metrics: [
      ratioMetric(
        `comments accepted/s at ack p99 ≤ ${P99_LIMIT_MS} ms`,
        'comments/s',
        accepted,
        { name: 'floor: Socket.IO + same adapter, one HSET+XADD+SPUBLISH script', value: f?.rate ?? 0 },
        { text: `≥ ${FLOOR_TARGET}×`, ok: (r) => r >= FLOOR_TARGET },
      ),
      { name: 'ack p50 / p99 at that rate', value: t?.p50 ?? Number.NaN, unit: `ms / ${t?.p99 ?? '—'} ms` },
      { name: 'floor ack p50 / p99 at its rate', value: f?.p50 ?? Number.NaN, unit: `ms / ${f?.p99 ?? '—'} ms` },
      {
        name: 'Redis commands per comment (request path)',
        value: t?.commandsPerComment ?? threadline[0]?.commandsPerComment ?? Number.NaN,
        unit: 'commands',
      },
      { name: 'server CPU at that rate', value: round((t?.serverCpu ?? 0) * 100, 0), unit: '% of a core' },
    ],
  };
};
