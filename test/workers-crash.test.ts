import { spawn, type ChildProcess } from 'node:child_process';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../server/bootstrap/redis.ts';
import { makeUser } from './support/clients.ts';
import { queuesIdle } from './support/queues.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, TEST_SECRET, type TestServer } from './support/server.ts';
import { TestSmtp } from './support/smtp.ts';
import { eventually } from './support/wait.ts';

const PREFIX = 'wc:';
let redis: TestRedis;
let smtp: TestSmtp;
let server: TestServer;
const children: ChildProcess[] = [];

async function startWorkerProcess(): Promise<{ child: ChildProcess; exited: Promise<number | null>; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/workers.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      REDIS_URL: redis.url,
      REDIS_PREFIX: PREFIX,
      AUTH_JWT_SECRET: TEST_SECRET,
      SMTP_URL: smtp.url,
      WORKER_LOCK_MS: '1500',
      WORKERS_PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(async () => expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true), 15_000, 100);
  return { child, exited, port };
}

beforeAll(async () => {
  redis = await startRedis();
  smtp = new TestSmtp();
  await smtp.start();
  server = await startServer(redis.url, { REDIS_PREFIX: PREFIX, SMTP_URL: smtp.url });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await server?.close();
  await smtp?.stop();
  await redis?.stop();
});

describe('a worker killed mid-job', () => {
  it('has its job picked up by another worker: one inbox entry, one email', async () => {
    const author = await makeUser({ handle: 'crash_author' });
    const target = await makeUser({ handle: 'crash_target', email: 'crash_target@example.com' });
    for (const u of [author, target]) await request(server.url).get('/api/threads/x').set('Authorization', `Bearer ${u.token}`).expect(200);

    const first = await startWorkerProcess();
    smtp.stall(1); // the mail server takes the message and never answers: the email job hangs mid-send
    await request(server.url)
      .post('/api/threads/crash/comments')
      .set('Authorization', `Bearer ${author.token}`)
      .send({ body: '@crash_target are you there?' })
      .expect(201);
    await eventually(() => expect(smtp.stalledMessages).toBe(1), 10_000);

    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startWorkerProcess();

    await eventually(() => expect(smtp.to('crash_target@example.com')).toHaveLength(1), 15_000, 100);
    // Every job the crash could have left to re-run has run: a second email would be in by now.
    const { queues } = server.app.deps;
    await queuesIdle([queues.notify, queues.digest, queues.email], 15_000);
    expect(smtp.to('crash_target@example.com'), 'one email after the crash and the re-run').toHaveLength(1);
    const inbox = await request(server.url).get('/api/notifications').set('Authorization', `Bearer ${target.token}`);
    expect(inbox.body.notifications).toHaveLength(1);

    // SIGTERM: stop taking jobs, finish, close, exit cleanly.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});
