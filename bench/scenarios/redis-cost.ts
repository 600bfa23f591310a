/**
 * Scenario: what one comment costs Redis, end to end, workers included.
 *
 * One `npm start` server (workers off) and one `npm run workers` process on
 * one Redis: the same work as `npm start` with the workers in-process, but the
 * server process does only the request path, so its Redis round trips can be
 * counted alone. 80 signed-in users post over sockets one at a time (each post
 * waits for its ack, then the next goes): first plain comments, then comments
 * with one @mention of one of them. After each batch we wait until the workers
 * are done (Redis goes quiet), then read the deltas:
 *
 * - Redis commands: `INFO commandstats` (commands run inside Lua scripts
 *   count, the scripts' EVALSHA too; our own INFO calls do not);
 * - Redis CPU: `INFO cpu` (used_cpu_user + used_cpu_sys);
 * - server CPU: utime + stime of the server and the workers process (/proc);
 * - round trips before the ack: bench/lib/redis-trips.mjs, preloaded into the
 *   server, counts the times it writes to Redis after having last heard from
 *   it, between the post's send and its ack (commands sent together count once).
 */
import { Redis } from 'ioredis';
import type { ChildProcess } from 'node:child_process';
import { signToken } from '../../server/auth/tokens.ts';
import { startRedis } from '../../test/support/redis.ts';
import { Cleanup } from '../lib/cleanup.ts';
import { LeanClient, openMany } from '../lib/lean-client.ts';
import { BENCH_RELAXED_LIMITS, BENCH_SECRET, startServerProcess } from '../lib/processes.ts';
import { round, type Metric, type Scenario } from '../lib/types.ts';

const USERS = 80;
const THREADS = 4;
const TARGETS = { plain: 20, mention: 40, trips: 2 };
/** Pause between posts. */
const GAP_MS = 25;

type CommandStats = Map<string, number>;

async function commandStats(redis: Redis): Promise<CommandStats> {
  const stats = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m && m[1] !== 'info') stats.set(m[1]!, Number(m[2]));
  }
  return stats;
}

const total = (s: CommandStats) => [...s.values()].reduce((a, b) => a + b, 0);

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Waits until Redis has run at most a few commands in 400 ms: the workers have finished with what we posted. */
async function settle(redis: Redis): Promise<void> {
  let last = total(await commandStats(redis));
  for (let quiet = 0, i = 0; quiet < 2 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 400));
    const now = total(await commandStats(redis));
    quiet = now - last <= 6 ? quiet + 1 : 0;
    last = now;
  }
}

function askTrips(child: ChildProcess, windows: [number, number][]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not answer the round-trip count')), 10_000);
    const onMessage = (msg: { type?: string; counts?: number[] }) => {
      if (msg?.type !== 'trips') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(msg.counts ?? []);
    };
    child.on('message', onMessage);
    child.send({ type: 'trips', windows });
  });
}

const epochNow = () => performance.timeOrigin + performance.now();

export interface CommentCost {
  comments: number;
  commandsPerComment: number;
  redisCpuUs: number;
  serverCpuUs: number;
  workersCpuUs: number;
  tripsMedian: number;
  tripsMax: number;
  top: string;
}

export const redisCost: Scenario = async (ctx) => {
  const perKind = ctx.quick ? 20 : 200;
  const cleanup = new Cleanup();
  try {
    const redis = cleanup.add(await startRedis(), (r) => r.stop());
    const env = { REDIS_URL: redis.url, ...BENCH_RELAXED_LIMITS };
    const trips = new URL('../lib/redis-trips.mjs', import.meta.url).pathname;
    const server = cleanup.add(await startServerProcess({ ...env, WORKERS: 'off' }, ['--import', trips], { ipc: true }), (s) => s.stop());
    const workers = cleanup.add(await startServerProcess(env, [], { entry: 'workers' }), (s) => s.stop());
    const admin = cleanup.add(new Redis(redis.url), (r) => r.disconnect());

    const tokens = await Promise.all(
      Array.from({ length: USERS }, (_, i) =>
        signToken(BENCH_SECRET, { sub: `cost-user-${i}`, handle: `cost_user_${i}`, name: `Cost User ${i}`, role: 'commenter' }),
      ),
    );
    const users = await openMany((i) => new LeanClient(server.url, 'none', { token: tokens[i]! }), USERS, 40);
    cleanup.defer(() => users.forEach((c) => c.close()));

    let seq = 0;
    const body = (kind: 'plain' | 'mention', n: number) =>
      kind === 'plain'
        ? `comment ${n}: the council vote on line ${n % 7} is what this article is about`
        : `@cost_user_${(n + 1) % USERS} comment ${n}: did you see paragraph ${n % 9}?`;
    const post = async (kind: 'plain' | 'mention'): Promise<[number, number]> => {
      const n = seq++;
      const from = epochNow();
      const ack = (await users[n % USERS]!.request('comment:post', {
        threadId: `cost-${n % THREADS}`,
        body: body(kind, n),
        clientId: `cost-${n}-0000`,
      })) as { ok: boolean; error?: { code: string } };
      const to = epochNow();
      if (!ack.ok) throw new Error(`post ${n} refused: ${JSON.stringify(ack.error)}`);
      return [from, to];
    };

    // Warm-up: scripts loaded, word lists compiled, threads created (every user is known from signing in).
    for (let i = 0; i < (ctx.quick ? 20 : USERS); i++) await post(i % 2 ? 'mention' : 'plain');
    await settle(admin);
    await askTrips(server.child, []);

    const costs = {} as Record<'plain' | 'mention', CommentCost>;
    for (const kind of ['plain', 'mention'] as const) {
      const stats0 = await commandStats(admin);
      const redisCpu0 = await redisCpuSeconds(admin);
      const server0 = server.cpuSeconds();
      const workers0 = workers.cpuSeconds();
      const windows: [number, number][] = [];
      for (let i = 0; i < perKind; i++) {
        windows.push(await post(kind));
        // What the server does after an ack (follow-ups) must not land in the next post's window.
        await new Promise((r) => setTimeout(r, GAP_MS));
      }
      await settle(admin);
      const stats1 = await commandStats(admin);
      const redisCpu1 = await redisCpuSeconds(admin);
      const counts = (await askTrips(server.child, windows)).sort((a, b) => a - b);
      const delta = [...stats1].map(([name, calls]) => [name, calls - (stats0.get(name) ?? 0)] as const).filter(([, d]) => d > 0);
      delta.sort((a, b) => b[1] - a[1]);
      const per = (n: number) => round(n / perKind, 1);
      costs[kind] = {
        comments: perKind,
        commandsPerComment: per(delta.reduce((a, [, d]) => a + d, 0)),
        redisCpuUs: Math.round(((redisCpu1 - redisCpu0) * 1e6) / perKind),
        serverCpuUs: Math.round(((server.cpuSeconds() - server0) * 1e6) / perKind),
        workersCpuUs: Math.round(((workers.cpuSeconds() - workers0) * 1e6) / perKind),
        tripsMedian: counts[Math.floor(counts.length / 2)] ?? Number.NaN,
        tripsMax: counts.at(-1) ?? Number.NaN,
        top: delta
          .slice(0, 10)
          .map(([name, d]) => `${name} ${per(d)}`)
          .join(', '),
      };
      const c = costs[kind];
      ctx.log(
        `  ${kind}: ${c.commandsPerComment} Redis commands, Redis CPU ${c.redisCpuUs} µs, server CPU ${c.serverCpuUs} µs + workers ${c.workersCpuUs} µs, round trips before the ack ${c.tripsMedian} (max ${c.tripsMax}) per comment`,
      );
      ctx.log(`    top commands per comment: ${c.top}`);
    }

    const { plain, mention } = costs;
    const metrics: Metric[] = [];
    for (const [kind, c, target] of [
      ['plain', plain, TARGETS.plain],
      ['one @mention', mention, TARGETS.mention],
    ] as const) {
      metrics.push(
        {
          name: `Redis commands per comment, ${kind} (workers included)`,
          value: c.commandsPerComment,
          unit: 'commands',
          target: `≤ ${target}`,
          meetsTarget: c.commandsPerComment <= target,
        },
        { name: `Redis CPU per comment, ${kind}`, value: c.redisCpuUs, unit: 'µs' },
        {
          name: `server + workers CPU per comment, ${kind}`,
          value: c.serverCpuUs + c.workersCpuUs,
          unit: `µs (${c.serverCpuUs} + ${c.workersCpuUs})`,
        },
        {
          name: `Redis round trips before the ack, ${kind} (median)`,
          value: c.tripsMedian,
          unit: `trips (max ${c.tripsMax})`,
          target: `≤ ${TARGETS.trips}`,
          meetsTarget: c.tripsMedian <= TARGETS.trips,
        },
      );
    }
    return {
      name: 'redis cost',
      valid: true,
      notes: [
        `${perKind} comments of each kind from ${USERS} signed-in users, one at a time; one server (workers off) + one workers process`,
        `top commands per comment, plain: ${plain.top}`,
        `top commands per comment, mention: ${mention.top}`,
      ],
      raw: costs,
      metrics,
    };
  } finally {
    await cleanup.run();
  }
};
