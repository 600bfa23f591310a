import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { freePort } from '../../server/bootstrap/redis.ts';

const run = promisify(execFile);

export interface ClusterNodeProcess {
  port: number;
  process: ChildProcess;
}

/** A real Redis Cluster for one test file: 3 masters, each with one replica, in a temp dir. */
export interface TestRedisCluster {
  /** REDIS_CLUSTER_NODES for a server on this cluster. */
  nodesEnv: string;
  nodes: ClusterNodeProcess[];
  /** A Cluster client for assertions and set-up. */
  client: Cluster;
  /** The port of the master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** A plain connection to one node (INFO, CLUSTER, CONFIG). Close it after use. */
  node(port: number): Redis;
  /** kill -9 one node. */
  kill(port: number): Promise<void>;
  /** Starts a killed node again on its port and data dir: it rejoins (a failed-over master comes back as a replica). */
  restart(port: number): Promise<void>;
  stop(): Promise<void>;
}

/** `args` are added to every node's redis-server command line. */
export async function startRedisCluster(opts: { args?: string[]; nodeTimeoutMs?: number } = {}): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-redis-cluster-'));
  const nodes: ClusterNodeProcess[] = [];
  try {
    for (let i = 0; i < 6; i++) nodes.push(await launchNode(dir, await freePort(), opts));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
    await waitForState(nodes.map((n) => n.port));
  } catch (err) {
    await Promise.all(nodes.map((n) => killNode(n.process)));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const client = new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }], { redisOptions: { maxRetriesPerRequest: 3 } });
  client.on('error', () => {});
  await client.ping();
  return {
    nodesEnv: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    nodes,
    client,
    async masterOf(key) {
      const slot = Number(await client.cluster('KEYSLOT', key));
      const slots = await client.cluster('SLOTS');
      const range = slots.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no master serves slot ${slot} of ${key}`);
      return range[2]![1];
    },
    node: (port) => new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 }),
    async kill(port) {
      const node = nodes.find((n) => n.port === port);
      if (node) await killNode(node.process);
    },
    async restart(port) {
      const i = nodes.findIndex((n) => n.port === port);
      nodes[i] = await launchNode(dir, port, opts);
    },
    async stop() {
      client.disconnect();
      await Promise.all(nodes.map((n) => killNode(n.process)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launchNode(root: string, port: number, opts: { args?: string[]; nodeTimeoutMs?: number }): Promise<ClusterNodeProcess> {
  const dir = join(root, String(port));
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(opts.nodeTimeoutMs ?? 2_000),
      '--save',
      '',
      '--appendonly',
      'no',
      ...(opts.args ?? []),
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      return { port, process: child };
    } catch {
      await sleep(25);
    } finally {
      probe.disconnect();
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server (cluster node) did not start on port ${port}`);
}

/** Every node says cluster_state:ok and knows all six, and each master has a replica in sync. */
async function waitForState(ports: number[]): Promise<void> {
  const clients = ports.map((p) => new Redis(p, '127.0.0.1', { maxRetriesPerRequest: 1 }));
  try {
    for (let i = 0; i < 300; i++) {
      const infos = await Promise.all(clients.map((c) => c.cluster('INFO')));
      const replication = await Promise.all(clients.map((c) => c.info('replication')));
      const masters = replication.filter((r) => /role:master/.test(r));
      const replicas = replication.filter((r) => /role:slave/.test(r));
      // A replica takes over only once it is in sync with its master (a kill -9 test needs that).
      const replicated =
        masters.length === 3 &&
        masters.every((r) => /connected_slaves:1/.test(r)) &&
        replicas.length === 3 &&
        replicas.every((r) => /master_link_status:up/.test(r));
      if (replicated && infos.every((info) => /cluster_state:ok/.test(info) && /cluster_known_nodes:6/.test(info))) return;
      await sleep(100);
    }
    throw new Error('the Redis Cluster did not reach cluster_state:ok within 30 s');
  } finally {
    for (const c of clients) c.disconnect();
  }
}

async function killNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGKILL');
  await exited;
}
