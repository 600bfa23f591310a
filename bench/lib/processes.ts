import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../server/bootstrap/redis.ts';

export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-abcdef';

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

/** A real `npm start` process for benchmarks. */
export async function startServerProcess(env: Record<string, string>, nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', AUTH_JWT_SECRET: BENCH_SECRET, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const server = serverProcess(child, port, 5_000);
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${server.url}/readyz`)).ok) return server;
    } catch {
      // starting
    }
    await sleep(50);
  }
  await server.stop();
  throw new Error(`server/main.ts on port ${port} never became ready (exit code ${child.exitCode})`);
}

/** A baseline server (bench/baselines/*) as a child process. */
export async function startBaselineProcess(script: 'ws-server' | 'sio-server', extraArgs: string[] = [], nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `bench/baselines/${script}.ts`, String(port), ...extraArgs], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return serverProcess(child, port, 3_000);
}

/** Stop sends SIGTERM, then SIGKILL if the process is still there after `killAfterMs`. */
function serverProcess(child: ChildProcess, port: number, killAfterMs: number): ServerProcess {
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    cpuSeconds: () => procCpuSeconds(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(killAfterMs).then(() => child.kill('SIGKILL'))]);
    },
  };
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
