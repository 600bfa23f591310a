import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ThreadlineClient } from '../../client/sdk/index.ts';
import type { Comment } from '../../contract/index.ts';
import { Balancer } from '../support/balancer.ts';
import { makeUser } from '../support/clients.ts';
import { Cluster } from '../support/cluster.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { closeViewers, expectEveryViewerHolds, repeats, watchThread, type Viewer } from '../support/viewers.ts';
import { storedComments } from '../support/probe.ts';

/**
 * Three real `npm start` processes behind a TCP balancer; about a thousand SDK readers follow one
 * thread and a few post. One instance is killed with -9. Afterwards the acknowledged ids, the
 * stored ids and the ids every reader holds are the same set.
 */
const VIEWERS = 1_000;
const POSTERS = 6;
let redis: TestRedis;
let cluster: Cluster;
let balancer: Balancer;

beforeAll(async () => {
  redis = await startRedis();
  cluster = new Cluster(redis.url, 'size:', { RECOVERY_MAX_EVENTS: '10000', RECOVERY_MAX_BYTES: '50000000' });
  await cluster.start(3);
  balancer = new Balancer(() => cluster.instances.map((i) => i.port));
  await balancer.start();
}, 90_000);

afterAll(async () => {
  await balancer?.stop();
  await cluster?.stop();
  await redis?.stop();
});

describe(`kill -9 of one of three instances while ${VIEWERS} readers view and ${POSTERS} post`, () => {
  it('acknowledged ids = stored ids = the ids every reader holds', async () => {
    const threadId = 'at-size';
    const socket = { transports: ['websocket' as const], reconnectionDelay: 200, reconnectionDelayMax: 2_000 };
    const viewers: Viewer[] = [];
    const posters: ThreadlineClient[] = [];
    const acked: Comment[] = [];
    let loops: Promise<void>[] = [];
    try {
      // Joined in batches: a thousand first loads at once would measure the machine, not the fault.
      for (let i = 0; i < VIEWERS; i += 100) viewers.push(...(await watchThread([balancer.url], threadId, 100, { socket, pageSize: 100 })));
      for (let i = 0; i < POSTERS; i++) {
        const user = await makeUser({ handle: `size_poster_${i}` });
        posters.push(connect({ url: balancer.url, token: user.token, socket }));
      }
      // Four posts each before the kill, four more sent as it happens (some are in flight on the
      // victim; the SDK resends them elsewhere with their clientId). Few enough for one page.
      let startPhaseTwo!: () => void;
      const phaseTwo = new Promise<void>((resolve) => (startPhaseTwo = resolve));
      const postSome = async (p: ThreadlineClient, i: number, from: number) => {
        for (let k = from; k < from + 4; k++) acked.push(await p.post({ threadId, body: `poster ${i} post ${k}` }));
      };
      await Promise.all(posters.map((p, i) => postSome(p, i, 0)));
      loops = posters.map(async (p, i) => {
        await phaseTwo;
        await postSome(p, i, 4);
      });
      startPhaseTwo();
      await cluster.kill(cluster.instances[1]!);
      await Promise.all(loops);

      const storedIds = (await storedComments(cluster.instances[0]!.url, threadId)).map((c) => c.id);
      const ackedIds = acked.map((c) => c.id);
      expect(repeats(ackedIds), 'ids acknowledged twice').toEqual([]);
      expect([...storedIds].sort(), 'stored ids = acknowledged ids').toEqual([...ackedIds].sort());
      expect(viewers.filter((v) => v.downs > 0).length, 'readers that lost their instance').toBeGreaterThan(0);
      await expectEveryViewerHolds(viewers, ackedIds, 120_000);
    } finally {
      for (const p of posters) p.close();
      await Promise.allSettled(loops);
      closeViewers(viewers);
    }
  }, 300_000);
});
