import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../server/bootstrap/redis.ts';
import { RELAXED_LIMITS } from '../../test/support/server.ts';

export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-abcdef';

/**
 * The limits the tests relax (same variables), set far above any load a
 * benchmark generates so the figures measure the path, not a limiter. Higher
 * than the tests' values: the full runs open 10k connections from one IP. Never
 * lower than the tests' values either: RECOVERY_BYTES_PER_MINUTE at 1,000,000 let
 * the storm's 1,250 clients (one IP) recover about 1 MB a minute in all, and
 * every client after that reloaded over REST, over and over, for the rest of the minute.
 */
export const BENCH_RELAXED_LIMITS: Record<string, string> = Object.fromEntries(
  Object.entries(RELAXED_LIMITS).map(([name, value]) => [name, String(Math.max(Number(value), 1_000_000))]),
);

/** Node flags that let a benchmark ask a server for a full GC (see gc-on-signal.mjs). */
export const GC_ON_SIGNAL = ['--expose-gc', '--import', new URL('./gc-on-signal.mjs', import.meta.url).pathname];

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** CPU seconds used by the process so far (user + system), from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** An IPC channel to the process (a preload that answers questions, e.g. redis-trips.mjs). */
  ipc?: boolean;
  /** `workers`: `npm run workers` (main/workers.ts, ready when /healthz answers) instead of `npm start`. */
  entry?: 'server' | 'workers';
}

/** A real `npm start` (or `npm run workers`) process for benchmarks. */
export async function startServerProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  options: StartOptions = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const workers = options.entry === 'workers';
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', workers ? 'main/workers.ts' : 'main/server.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      ...(workers ? { WORKERS_PORT: String(port) } : {}),
      HOST: '127.0.0.1',
      AUTH_JWT_SECRET: BENCH_SECRET,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  const server = serverProcess(child, port, 5_000);
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      if ((await fetch(`${server.url}${workers ? '/healthz' : '/readyz'}`)).ok) return server;
    } catch {
      // starting
    }
    await sleep(50);
  }
  await server.stop();
  throw new Error(`main/${workers ? 'workers' : 'server'}.ts on port ${port} never became ready (exit code ${child.exitCode})`);
}

/** A baseline server (bench/baselines/*) as a child process. */
export async function startBaselineProcess(
  script: 'ws-server' | 'sio-server' | 'floor-server',
  extraArgs: string[] = [],
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `bench/baselines/${script}.ts`, String(port), ...extraArgs], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const server = serverProcess(child, port, 3_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} on port ${port} did not report ready within 30 s`)), 30_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code}`));
      });
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Every server and baseline process started and not yet stopped, for {@link stopAllProcesses}. */
const running = new Set<ServerProcess>();

/** Stop sends SIGTERM, then SIGKILL if the process is still there after `killAfterMs`. */
function serverProcess(child: ChildProcess, port: number, killAfterMs: number): ServerProcess {
  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    cpuSeconds: () => procCpuSeconds(child.pid!),
    async stop() {
      running.delete(server);
      // A process killed by a signal (the reconnect storm SIGKILLs one) has exited with signalCode set and exitCode null.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(killAfterMs).then(() => child.kill('SIGKILL'))]);
    },
  };
  running.add(server);
  return server;
}

/** Stops every server and baseline process still running (bench/run.ts, before it exits). */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** RSS (from /proc) of any process, in bytes. */
export function procRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** utime + stime of a process in seconds (Linux). */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
