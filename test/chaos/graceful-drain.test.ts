import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { connect, type ThreadlineClient } from '../../client/sdk/index.ts';
import type { Comment } from '../../contract/index.ts';
import { loadConfig } from '../../server/config.ts';
import { QUEUE_NAMES } from '../../server/jobs/queues.ts';
import { Balancer } from '../support/balancer.ts';
import { makeUser } from '../support/clients.ts';
import { Cluster } from '../support/cluster.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { closeViewers, expectEveryViewerHolds, repeats, watchThread, type Viewer } from '../support/viewers.ts';
import { eventually } from '../support/wait.ts';
import { storedComments } from '../support/probe.ts';

/**
 * SIGTERM to one of two `npm start` instances (each running the queue workers) while SDK clients
 * post and read through a balancer: every post completes (the SDK resends one whose ack was lost,
 * with its clientId), the instance's readers are told to go and reconnect to the other instance,
 * the process exits 0, and no BullMQ job it was running is left to stall.
 */
const PREFIX = 'drain:';
const LOCK_MS = 1_000;
let redis: TestRedis;
let cluster: Cluster;
let balancer: Balancer;

beforeAll(async () => {
  redis = await startRedis();
  cluster = new Cluster(redis.url, PREFIX, { WORKER_LOCK_MS: String(LOCK_MS) });
  await cluster.start(2);
  balancer = new Balancer(() => cluster.instances.map((i) => i.port));
  await balancer.start();
}, 90_000);

afterAll(async () => {
  await balancer?.stop();
  await cluster?.stop();
  await redis?.stop();
});

describe('SIGTERM with posts in flight', () => {
  it('completes every post, sends readers elsewhere, exits 0 and leaves no stalled job', async () => {
    const threadId = 'drained';
    const socket = { transports: ['websocket' as const], reconnectionDelay: 100, reconnectionDelayMax: 1_000 };
    const closing: { code: string }[] = [];
    const stalled: string[] = [];
    const queueEvents = [QUEUE_NAMES.notify, QUEUE_NAMES.outbox].map(
      (name) => new QueueEvents(name, { connection: { port: redis.port, host: '127.0.0.1' }, prefix: `${PREFIX}{bull}` }),
    );
    for (const q of queueEvents) q.on('stalled', ({ jobId }) => stalled.push(`${q.name}:${jobId}`));
    let viewers: Viewer[] = [];
    const posters: ThreadlineClient[] = [];
    const acked: Comment[] = [];
    let posting = true;
    let loops: Promise<void>[] = [];
    let stopped = false;
    const sinceExit = [0, 0, 0, 0];
    try {
      await Promise.all(queueEvents.map((q) => q.waitUntilReady()));
      viewers = await watchThread([balancer.url], threadId, 20, { socket, onClosing: (info) => closing.push(info) });
      for (let i = 0; i < 4; i++) {
        const user = await makeUser({ handle: `drain_poster_${i}` });
        posters.push(connect({ url: balancer.url, token: user.token, socket }));
      }
      loops = posters.map(async (p, i) => {
        for (let k = 0; posting; k++) {
          acked.push(await p.post({ threadId, body: `poster ${i} post ${k}` }));
          if (stopped) sinceExit[i]!++;
        }
      });
      await eventually(() => expect(acked.length).toBeGreaterThanOrEqual(20), 30_000, 20);

      const victim = cluster.instances[0]!;
      const exited = new Promise<number | null>((resolve) => victim.process.once('exit', (code) => resolve(code)));
      victim.process.kill('SIGTERM');
      expect(await exited, `exit code after SIGTERM; output:\n${victim.output()}`).toBe(0);
      cluster.instances.splice(0, 1);
      stopped = true;
      // Every poster, the stopped instance's included, goes on posting through the other one.
      await eventually(
        () => expect(sinceExit, 'posts acknowledged since the exit, per poster').toEqual(sinceExit.map((n) => Math.max(n, 3))),
        30_000,
        50,
      );
      posting = false;
      await Promise.all(loops);

      const stored = await storedComments(balancer.url, threadId);
      const ackedIds = acked.map((c) => c.id);
      expect(repeats(stored.map((c) => c.body)), 'posts stored twice').toEqual([]);
      expect(stored.map((c) => c.id).sort(), 'stored ids = acknowledged ids').toEqual([...ackedIds].sort());
      await expectEveryViewerHolds(viewers, ackedIds, 30_000);
      expect(
        closing.some((c) => c.code === 'unavailable'),
        'readers of the stopped instance were told to reconnect (connection:closing unavailable)',
      ).toBe(true);
      // A job the stopped instance had left running would be found stalled after the lock expires.
      await sleep(3 * LOCK_MS);
      expect(stalled, 'jobs found stalled').toEqual([]);
    } finally {
      posting = false;
      for (const p of posters) p.close();
      await Promise.allSettled(loops);
      closeViewers(viewers);
      await Promise.all(queueEvents.map((q) => q.close()));
    }
  }, 180_000);

  it("docker-compose's stop grace period covers the server's own shutdown timeout", () => {
    // `merge`: services share settings through `<<: *anchor`, as Docker Compose resolves them.
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
      services: Record<string, { build?: unknown; command?: string[]; stop_grace_period?: string }>;
    };
    const shutdownMs = loadConfig({ NODE_ENV: 'test', AUTH_JWT_SECRET: 'x'.repeat(40) }).shutdownTimeoutMs;
    const seconds = (period: string | undefined) => (period ? Number(/^(\d+)s$/.exec(period)?.[1]) : 10); // Docker's default: 10 s
    const short = Object.entries(compose.services)
      // Threadline's own processes (built from this repository), not Redis, nginx or the cluster-create job.
      .filter(([, s]) => s.build !== undefined)
      .map(([name, s]) => ({ name, graceMs: seconds(s.stop_grace_period) * 1_000 }))
      .filter((s) => !(s.graceMs > shutdownMs));
    expect(short, `services whose stop grace period does not exceed SHUTDOWN_TIMEOUT_MS (${shutdownMs} ms)`).toEqual([]);
  });
});
