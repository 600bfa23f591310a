import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../server/bootstrap/redis.ts';
import { RELAXED_LIMITS, TEST_SECRET } from './server.ts';

export interface Instance {
  port: number;
  url: string;
  process: ChildProcess;
  output: () => string;
}

/**
 * Real `npm start` processes (one per instance) sharing a Redis and a key
 * prefix: a small Threadline deployment that tests can kill -9.
 */
export class Cluster {
  readonly instances: Instance[] = [];

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.add()));
  }

  async add(port?: number): Promise<Instance> {
    const p = port ?? (await freePort());
    const instance = spawnServer(p, {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      PORT: String(p),
      HOST: '127.0.0.1',
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: this.prefix,
      AUTH_JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...RELAXED_LIMITS,
      ...this.env,
    });
    await waitReady(instance);
    this.instances.push(instance);
    return instance;
  }

  /** SIGKILL: no goodbye to clients or Redis. */
  async kill(instance: Instance): Promise<void> {
    if (instance.process.exitCode !== null || instance.process.signalCode !== null) return;
    const exited = new Promise((resolve) => instance.process.once('exit', resolve));
    instance.process.kill('SIGKILL');
    await exited;
    this.instances.splice(this.instances.indexOf(instance), 1);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.instances].map((i) => this.kill(i)));
  }
}

/**
 * Spawns what `npm start` runs (main/server.ts under tsx) with exactly `env`
 * (nothing inherited), collecting its stdout and stderr. `port` is where it
 * is told to listen (PORT in `env`); the instance is not ready yet.
 */
export function spawnServer(port: number, env: Record<string, string>): Instance {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { port, url: `http://127.0.0.1:${port}`, process: child, output: () => output };
}

/**
 * Polls /readyz until it answers 2xx (up to ~20 s). If the process exits or
 * the time runs out, kills it (SIGKILL) and throws with its output.
 */
export async function waitReady(instance: Instance): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (instance.process.exitCode !== null) break;
    try {
      if ((await fetch(`${instance.url}/readyz`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  instance.process.kill('SIGKILL');
  throw new Error(`instance on ${instance.port} did not become ready:\n${instance.output()}`);
}
