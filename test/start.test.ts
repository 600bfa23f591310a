import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../server/bootstrap/redis.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(port: number, exited: Promise<unknown>, output: () => string): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 300 && !done; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`server on ${port} never became ready; output:\n${output()}`);
}

const portOpen = async (port: number) => {
  const { createConnection } = await import('node:net');
  return new Promise<boolean>((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
};

describe('npm start', () => {
  it('starts a private redis-server (AOF under DATA_DIR) when none is configured or found, and stops it on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-start-'));
    dirs.push(dataDir);
    const [port, emptyPort] = [await freePort(), await freePort()];
    const app = start({ PORT: String(port), DATA_DIR: dataDir, REDIS_PROBE_URL: `redis://127.0.0.1:${emptyPort}` });
    await waitForReady(port, app.exited, app.output);

    expect(app.output()).toContain('started a private redis-server');
    expect(app.output()).toContain('npm run token -- --sub u1');
    expect(await portOpen(emptyPort)).toBe(true);
    expect(readdirSync(join(dataDir, 'redis')).join(' ')).toMatch(/appendonly/);
    expect(existsSync(join(dataDir, 'dev-jwt-secret'))).toBe(true);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(await portOpen(emptyPort)).toBe(false);
  });

  it('exits with one clear message naming both fixes when there is no Redis and no redis-server binary', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-start-'));
    dirs.push(dataDir);
    const app = start({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      REDIS_PROBE_URL: `redis://127.0.0.1:${await freePort()}`,
      REDIS_SERVER_BIN: '/nonexistent/redis-server',
    });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/REDIS_URL/);
    expect(app.output()).toMatch(/apt-get install redis-server/);
  });

  it('refuses to start in production without AUTH_JWT_SECRET', async () => {
    const app = start({ NODE_ENV: 'production', PORT: String(await freePort()), REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/AUTH_JWT_SECRET is required/);
  });
});
