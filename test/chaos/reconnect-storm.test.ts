import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../support/clients.ts';
import type { TestRedis } from '../support/redis.ts';
import { startRedisAndServers, stopServersAndRedis, type TestServer } from '../support/server.ts';
import { SlowLink } from '../support/slow-link.ts';
import { closeViewers, expectEveryViewerHolds, watchThread, type Viewer } from '../support/viewers.ts';
import { eventually } from '../support/wait.ts';

/**
 * A reconnect storm that asserts (bench/ measures one): a few hundred SDK readers lose their
 * connections at the same moment, comments are posted while they are away and while they all come
 * back, and each must end with every stored comment exactly once: no duplicate, gap or miss.
 */
const VIEWERS = 300;
let redis: TestRedis;
let servers: [TestServer, TestServer];
let link: SlowLink;
let author: TestUser;
let viewers: Viewer[] = [];

beforeAll(async () => {
  ({ redis, servers } = await startRedisAndServers(2));
  // The readers reach server 0 through a link the test can cut; the author posts on server 1.
  link = new SlowLink(servers[0].port, 0);
  await link.start();
  author = await makeUser({ handle: 'storm_author' });
});

afterAll(async () => {
  closeViewers(viewers);
  await link?.stop();
  await stopServersAndRedis(servers, redis);
});

let n = 0;
const post = async (threadId: string): Promise<string> =>
  (
    await request(servers[1].url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${author.token}`)
      .send({ body: `storm comment ${++n}` })
      .expect(201)
  ).body.comment.id;

describe(`${VIEWERS} SDK readers reconnect at once`, () => {
  it('each ends with every stored comment exactly once', async () => {
    const threadId = 'storm';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await post(threadId));
    viewers = await watchThread([`http://127.0.0.1:${link.port}`], threadId, VIEWERS, {
      socket: { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 1_000 },
    });
    await expectEveryViewerHolds(viewers, ids);

    link.cut();
    await eventually(() => expect(viewers.filter((v) => v.downs === 0).length, 'readers still connected after the cut').toBe(0));
    for (let i = 0; i < 10; i++) ids.push(await post(threadId)); // missed by everyone
    link.heal();
    // Posted while the readers reconnect and re-join: some are live, some recovered, some both.
    for (let i = 0; i < 20; i++) ids.push(await post(threadId));

    await expectEveryViewerHolds(viewers, ids, 60_000);
    expect(
      viewers.filter((v) => v.resets.length !== 1),
      'readers that had to reload instead of recovering (recovery covers this outage)',
    ).toEqual([]);
  });
});
