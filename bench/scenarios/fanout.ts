/**
 * Scenario 1, fan-out: one thread, N viewers split across two instances, a
 * poster on instance A posting at rates rising by half each step (open loop).
 * For each system we find the highest rate every viewer keeps up with (≥ 99%
 * delivered, p99 under 250 ms): deliveries/s at saturation = rate × viewers. Then at
 * 50% of it we measure post → receive latency on receivers on the poster's
 * instance (local) and on the other one (remote).
 *
 * Systems: Threadline (2 instances, Redis), and baselines in bench/baselines:
 * raw ws (1 process), plain Socket.IO (1 process), plain Socket.IO with the
 * same sharded Redis adapter (2 processes).
 */
import type { Socket } from 'socket.io-client';
import { signToken } from '../../server/auth/tokens.ts';
import { startRedis } from '../../test/support/redis.ts';
import { Cleanup } from '../lib/cleanup.ts';
import { GENERATOR_SATURATED, generatorCpu } from '../lib/cpu.ts';
import { LeanClient, openMany, RawWsClient } from '../lib/lean-client.ts';
import { sendOpenLoop } from '../lib/pacing.ts';
import { loadavg } from 'node:os';
import {
  BENCH_RELAXED_LIMITS,
  BENCH_SECRET,
  procCpuSeconds,
  startBaselineProcess,
  startServerProcess,
  type ServerProcess,
} from '../lib/processes.ts';
import { connectSocket } from '../lib/sockets.ts';
import { latencyHistogram } from '../lib/stats.ts';
import { ratioMetric, round, type Metric, type Scenario, type ScenarioContext } from '../lib/types.ts';

const THREAD = 'bench-fanout';
/** Above this p99 the receivers are falling behind, not keeping up. */
const KEEPING_UP_P99_MS = 250;
const MEASURERS_PER_INSTANCE = 5;
/** Deliveries per second of the fixed-load step where every system's server CPU per delivery is measured. */
const CPU_STEP_DELIVERIES_PER_SECOND = 16_000;

/** What a baseline broadcasts: the same shape and size as a Threadline comment event. */
function fakeEvent(seq: number) {
  return {
    threadId: THREAD,
    offset: seq + 1,
    epoch: '0123456789abcdef',
    type: 'comment.created',
    comment: {
      id: `${THREAD}~AAAAAAAAAAAA`,
      threadId: THREAD,
      parentId: null,
      author: { id: 'bench-poster', handle: 'bench_poster', name: 'Bench Poster' },
      body: `bench ${seq}`,
      mentions: [],
      status: 'visible',
      createdAt: new Date().toISOString(),
      editedAt: null,
      featured: false,
      offset: seq + 1,
    },
  };
}

const seqOf = (body: string) => Number(body.slice(6));

interface Receivers {
  delivered(): number;
  perPost: number;
  onLatency(fn: (seq: number, where: 'local' | 'remote') => void): void;
  close(): void;
}

interface System {
  name: string;
  instances: number;
  /** Stops what it started even when it fails part-way: call stop() either way. */
  start(): Promise<void>;
  connect(viewers: number): Promise<Receivers>;
  post(seq: number): void;
  /** The system's server processes, whose CPU time per delivery we compare. */
  pids(): number[];
  stop(): Promise<void>;
}

async function socketIoMeasurer(
  url: string,
  join: (s: Socket) => Promise<void>,
  where: 'local' | 'remote',
  listeners: ((seq: number, where: 'local' | 'remote') => void)[],
) {
  const s = await connectSocket(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  let count = 0;
  const onEvent = (e: { comment: { body: string } }) => {
    count++;
    const seq = seqOf(e.comment.body);
    for (const l of listeners) l(seq, where);
  };
  s.on('thread:event', onEvent);
  // Threadline sends a burst as one frame; each event in it counts as a delivery.
  s.on('thread:batch', (b: { events: { comment: { body: string } }[] }) => b.events.forEach(onEvent));
  try {
    await join(s);
  } catch (err) {
    s.disconnect();
    throw err;
  }
  return { socket: s, count: () => count };
}

/**
 * Viewers spread over the instances (lean clients, counted), plus measuring
 * socket.io-client receivers on the first instance (local to the poster) and,
 * if there is one, the second (remote).
 */
async function connectSocketIoViewers(
  urls: string[],
  viewers: number,
  joinLean: (c: LeanClient) => Promise<unknown>,
  join: (s: Socket) => Promise<void>,
): Promise<Receivers> {
  const lean = await openMany((i) => new LeanClient(urls[i % urls.length]!, 'thread:event'), viewers);
  const listeners: ((seq: number, where: 'local' | 'remote') => void)[] = [];
  const measurers: Awaited<ReturnType<typeof socketIoMeasurer>>[] = [];
  const close = () => {
    for (const c of lean) c.close();
    for (const m of measurers) m.socket.disconnect();
  };
  try {
    await Promise.all(lean.map(joinLean));
    const pending: ReturnType<typeof socketIoMeasurer>[] = [];
    for (let i = 0; i < MEASURERS_PER_INSTANCE; i++) {
      pending.push(socketIoMeasurer(urls[0]!, join, 'local', listeners));
      if (urls.length > 1) pending.push(socketIoMeasurer(urls[1]!, join, 'remote', listeners));
    }
    // Keep every measurer that connected, so a failure closes them too.
    const settled = await Promise.allSettled(pending);
    for (const r of settled) if (r.status === 'fulfilled') measurers.push(r.value);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    close();
    throw err;
  }
  return {
    perPost: viewers + measurers.length,
    delivered: () => lean.reduce((n, c) => n + c.received, 0) + measurers.reduce((n, m) => n + m.count(), 0),
    onLatency: (fn) => listeners.push(fn),
    close,
  };
}

/** Stops, in parallel, every server in `servers` at the time it runs (they are pushed as each one starts). */
function stopServers(cleanup: Cleanup): ServerProcess[] {
  const servers: ServerProcess[] = [];
  cleanup.defer(() => Promise.all(servers.map((s) => s.stop())));
  return servers;
}

function threadline(redisUrl: string): System {
  const cleanup = new Cleanup();
  const servers = stopServers(cleanup);
  let poster: Socket | undefined;
  let posterToken = '';
  return {
    name: 'Threadline (2 instances)',
    instances: 2,
    async start() {
      const env = { REDIS_URL: redisUrl, REDIS_PREFIX: 'fan:', WORKERS: 'off', ...BENCH_RELAXED_LIMITS, PRESENCE_INTERVAL_MS: '60000' };
      // BENCH_PROFILE=<dir> writes a CPU profile of each Threadline server (node --cpu-prof; bench/profile-summary.ts reads it).
      const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
      for (let i = 0; i < 2; i++) servers.push(await startServerProcess(env, profile));
      posterToken = await signToken(BENCH_SECRET, { sub: 'bench-poster', handle: 'bench_poster', name: 'Bench Poster', role: 'moderator' });
      poster = cleanup.add(
        await connectSocket(servers[0]!.url, { transports: ['websocket'], forceNew: true, auth: { token: posterToken } }),
        (p) => p.disconnect(),
      );
    },
    connect(viewers) {
      return connectSocketIoViewers(
        servers.map((s) => s.url),
        viewers,
        (c) => c.request('thread:join', { threadId: THREAD }),
        async (s) => void (await s.emitWithAck('thread:join', { threadId: THREAD })),
      );
    },
    pids: () => servers.map((s) => s.child.pid!),
    post(seq) {
      poster!.emit('comment:post', { threadId: THREAD, body: `bench ${seq}`, clientId: `bench-fanout-${seq}-${Date.now()}` }, () => {});
    },
    stop: () => cleanup.run(),
  };
}

function plainSocketIo(redisUrl: string | undefined): System {
  const cleanup = new Cleanup();
  const servers = stopServers(cleanup);
  let poster: Socket | undefined;
  const count = redisUrl ? 2 : 1;
  return {
    name: redisUrl ? 'Socket.IO + sharded Redis adapter (2 instances)' : 'plain Socket.IO (1 process)',
    instances: count,
    async start() {
      for (let i = 0; i < count; i++) servers.push(await startBaselineProcess('sio-server', redisUrl ? [redisUrl] : []));
      poster = cleanup.add(await connectSocket(servers[0]!.url, { transports: ['websocket'], forceNew: true }), (p) => p.disconnect());
    },
    connect(viewers) {
      return connectSocketIoViewers(
        servers.map((s) => s.url),
        viewers,
        (c) => c.request('join', THREAD),
        async (s) => void (await s.emitWithAck('join', THREAD)),
      );
    },
    post(seq) {
      poster!.emit('post', { room: THREAD, payload: fakeEvent(seq) });
    },
    pids: () => servers.map((s) => s.child.pid!),
    stop: () => cleanup.run(),
  };
}

function rawWs(): System {
  const cleanup = new Cleanup();
  let server: ServerProcess | undefined;
  let poster: RawWsClient | undefined;
  return {
    name: 'raw ws (1 process)',
    instances: 1,
    async start() {
      server = cleanup.add(await startBaselineProcess('ws-server'), (s) => s.stop());
      poster = cleanup.add(new RawWsClient(server.url), (p) => p.close());
      await poster.connect();
    },
    async connect(viewers) {
      const lean = await openMany(() => new RawWsClient(server!.url), viewers);
      const listeners: ((seq: number, where: 'local' | 'remote') => void)[] = [];
      let measurers: RawWsClient[];
      try {
        measurers = await openMany(() => new RawWsClient(server!.url), MEASURERS_PER_INSTANCE);
      } catch (err) {
        for (const c of lean) c.close();
        throw err;
      }
      for (const m of measurers)
        m.onMessage((d) => {
          const seq = seqOf((JSON.parse(d) as { comment: { body: string } }).comment.body);
          for (const l of listeners) l(seq, 'local');
        });
      return {
        // The poster receives its own broadcast too.
        perPost: viewers + measurers.length + 1,
        delivered: () => lean.reduce((n, c) => n + c.received, 0) + measurers.reduce((n, m) => n + m.received, 0) + poster!.received,
        onLatency: (fn) => listeners.push(fn),
        close() {
          for (const c of [...lean, ...measurers]) c.close();
        },
      };
    },
    post(seq) {
      poster!.send(`B${JSON.stringify(fakeEvent(seq))}`);
    },
    pids: () => [server!.child.pid!],
    stop: () => cleanup.run(),
  };
}

interface StepResult {
  rate: number;
  sent: number;
  deliveredRatio: number;
  deliveriesPerSecond: number;
  p99: number;
  generatorCpu: number;
}

async function openLoop(system: System, receivers: Receivers, rate: number, seconds: number, seqBase: number) {
  const intended = new Map<number, number>();
  const local = latencyHistogram();
  const remote = latencyHistogram();
  const all = latencyHistogram();
  let active = true;
  receivers.onLatency((seq, where) => {
    const t0 = intended.get(seq);
    if (t0 === undefined || !active) return;
    const ms = performance.now() - t0;
    all.record(ms);
    (where === 'local' ? local : remote).record(ms);
  });
  const before = receivers.delivered();
  const cpu = generatorCpu();
  const total = Math.max(1, Math.round(rate * seconds));
  const { start, end: sendEnd } = await sendOpenLoop(total, rate, (i, at) => {
    intended.set(seqBase + i, at);
    system.post(seqBase + i);
  });
  // Drain: wait until deliveries stop growing (or everything arrived).
  let last = -1;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = receivers.delivered();
    if (now - before >= total * receivers.perPost || now === last) break;
    last = now;
  }
  active = false;
  const delivered = receivers.delivered() - before;
  const elapsed = (sendEnd - start) / 1000;
  return {
    total,
    delivered,
    elapsed,
    generatorCpu: cpu.fractionOfCore(),
    all: all.summary(),
    local: local.summary(),
    remote: remote.summary(),
  };
}

async function measureSystem(system: System, viewers: number, ctx: ScenarioContext) {
  const cleanup = new Cleanup();
  try {
    cleanup.defer(() => system.stop());
    await system.start();
    const receivers = cleanup.add(await system.connect(viewers), (r) => r.close());
    let seq = 0;
    const steps: StepResult[] = [];
    const stepSeconds = ctx.quick ? 1 : 2;
    // Start where a few thousand deliveries a second are due, whatever the audience.
    let rate = ctx.quick ? 80 : Math.max(1, Math.round(8_000 / viewers));
    for (let i = 0; i < (ctx.quick ? 3 : 12); i++) {
      const r = await openLoop(system, receivers, rate, stepSeconds, seq);
      seq += r.total;
      const ratio = r.delivered / (r.total * receivers.perPost);
      const step = {
        rate,
        sent: r.total,
        deliveredRatio: round(ratio, 4),
        deliveriesPerSecond: Math.round(r.delivered / Math.max(r.elapsed, 0.001)),
        p99: r.all.p99,
        generatorCpu: round(r.generatorCpu),
      };
      steps.push(step);
      ctx.log(
        `  ${system.name} ${viewers} viewers @ ${rate}/s: delivered ${(ratio * 100).toFixed(1)}%, p99 ${r.all.p99} ms, generator ${(r.generatorCpu * 100).toFixed(0)}% of a core`,
      );
      if (ratio < 0.99 || r.all.p99 > KEEPING_UP_P99_MS) break;
      rate = Math.round(rate * 1.5);
    }
    const passing = steps.filter((s) => s.deliveredRatio >= 0.99 && s.p99 <= KEEPING_UP_P99_MS);
    const saturation = passing.at(-1) ?? steps[0]!;
    const reachedLimit = passing.length < steps.length;
    const halfRate = Math.max(1, saturation.rate / 2);
    const latency = await openLoop(system, receivers, halfRate, ctx.quick ? 2 : 4, seq);
    seq += Math.max(1, Math.round(halfRate * (ctx.quick ? 2 : 4)));
    // Server CPU per delivery at one fixed load for every system: CPU time is what a process used, not
    // what it waited for, so unlike latency it stays comparable when other work shares the cores.
    const cpuRate = Math.max(1, Math.round(CPU_STEP_DELIVERIES_PER_SECOND / viewers));
    const pids = system.pids();
    const cpuBefore = pids.reduce((t, pid) => t + procCpuSeconds(pid), 0);
    const cpuStep = await openLoop(system, receivers, cpuRate, ctx.quick ? 1 : 3, seq);
    const cpuSeconds = pids.reduce((t, pid) => t + procCpuSeconds(pid), 0) - cpuBefore;
    return {
      system: system.name,
      viewers,
      steps,
      saturationRate: saturation.rate,
      deliveriesPerSecond: saturation.rate * receivers.perPost,
      reachedLimit,
      generatorSaturated:
        steps.some((s) => s.generatorCpu >= GENERATOR_SATURATED && s === saturation) || latency.generatorCpu >= GENERATOR_SATURATED,
      latencyAtHalf: { rate: halfRate, all: latency.all, local: latency.local, remote: latency.remote },
      cpu: { rate: cpuRate, delivered: cpuStep.delivered, cpuSeconds: round(cpuSeconds, 2) },
      /** Server CPU (all of the system's server processes, Redis not counted) per 1,000 deliveries. */
      cpuMsPer1000: round((cpuSeconds * 1e6) / Math.max(1, cpuStep.delivered), 2),
    };
  } finally {
    await cleanup.run();
  }
}

export const fanout: Scenario = async (ctx) => {
  const sizes = ctx.quick ? [200] : [1_000, 5_000];
  const metrics: Metric[] = [];
  const notes: string[] = [];
  const raw: unknown[] = [];
  let valid = true;
  const cleanup = new Cleanup();
  const loads: number[] = [];
  try {
    const redis = cleanup.add(await startRedis(), (r) => r.stop());
    for (const viewers of sizes) {
      loads.push(loadavg()[0]!);
      ctx.log(`fan-out, ${viewers} viewers`);
      const tl = await measureSystem(threadline(redis.url), viewers, ctx);
      await redis.client.flushall();
      const sio = await measureSystem(plainSocketIo(undefined), viewers, ctx);
      const sioRedis = await measureSystem(plainSocketIo(redis.url), viewers, ctx);
      const ws = await measureSystem(rawWs(), viewers, ctx);
      raw.push(tl, sio, sioRedis, ws);
      for (const r of [tl, sio, sioRedis, ws]) {
        if (!r.reachedLimit)
          notes.push(`${r.system}, ${viewers} viewers: kept up at every rate tried; saturation is at least ${r.saturationRate}/s`);
        if (r.generatorSaturated) {
          valid = false;
          notes.push(
            `${r.system}, ${viewers} viewers: the load generator used ≥ ${GENERATOR_SATURATED * 100}% of a core; these figures measure the generator`,
          );
        }
      }
      metrics.push(
        ratioMetric(
          `deliveries/s at saturation, ${viewers} viewers`,
          'msg/s',
          tl.deliveriesPerSecond,
          { name: sio.system, value: sio.deliveriesPerSecond },
          { text: '≥ 1.0× (stretch 1.3×)', ok: (x) => x >= 1 },
        ),
        ratioMetric(
          `deliveries/s vs same adapter, ${viewers} viewers`,
          'msg/s',
          tl.deliveriesPerSecond,
          { name: sioRedis.system, value: sioRedis.deliveriesPerSecond },
          { text: '≥ 1.0×', ok: (x) => x >= 1 },
        ),
        ratioMetric(
          `p99 post→receive at 50% saturation, ${viewers} viewers`,
          'ms',
          tl.latencyAtHalf.all.p99,
          { name: ws.system, value: ws.latencyAtHalf.all.p99 },
          { text: '≤ 1.5×', ok: (x) => x <= 1.5 },
        ),
        ratioMetric(
          `server CPU per 1,000 deliveries at ${tl.cpu.rate} posts/s, ${viewers} viewers`,
          'ms',
          tl.cpuMsPer1000,
          { name: sio.system, value: sio.cpuMsPer1000 },
          { text: '≤ 1.0× (lower is better)', ok: (x) => x <= 1 },
        ),
        ratioMetric(
          `server CPU per 1,000 deliveries vs same adapter, ${viewers} viewers`,
          'ms',
          tl.cpuMsPer1000,
          { name: sioRedis.system, value: sioRedis.cpuMsPer1000 },
          { text: '≤ 1.0× (lower is better)', ok: (x) => x <= 1 },
        ),
        {
          name: `p50 / max post→receive at 50% saturation, ${viewers} viewers`,
          value: tl.latencyAtHalf.all.p50,
          unit: `ms (max ${tl.latencyAtHalf.all.max} ms)`,
        },
        {
          name: `p99 local / remote instance, ${viewers} viewers`,
          value: tl.latencyAtHalf.local.p99,
          unit: `ms local, ${tl.latencyAtHalf.remote.p99} ms remote`,
        },
      );
    }
    loads.push(loadavg()[0]!);
  } finally {
    await cleanup.run();
  }
  // Saturation and p99 are latencies: on a machine whose run queue is longer than its cores, every hop
  // (poster → server → Redis → server → client) waits for a core, and the figures measure that wait.
  const busiest = Math.max(...loads);
  if (busiest > ctx.cores * 1.5) {
    valid = false;
    notes.push(
      `the machine was busy with other work: 1-minute load average up to ${round(busiest, 1)} on ${ctx.cores} cores; saturation and p99 figures include waiting for a core (server CPU per delivery does not)`,
    );
  }
  return { name: 'fan-out', metrics, valid, notes, raw };
};
