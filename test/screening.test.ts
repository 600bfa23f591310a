import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { comparableText, countLinks } from '../server/domain/screening.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { processScreen } from '../workers/screen/processor.ts';
import { ScreenStream } from '../server/store/screen-stream.ts';
import { connectSocket, makeUser, ok, record, type ClientSocket, type TestUser } from './support/clients.ts';
import { screeningIdle } from './support/queues.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';
import { veteran as veteranOn } from './support/users.ts';
import { eventually } from './support/wait.ts';

const PREFIX = 'sc:';
let redis: TestRedis;
let server: TestServer;
let workers: RunningWorkers;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  // A short lock: a comment left unacknowledged by a dead worker is taken over after it.
  ({ redis, server } = await startRedisAndServer({ REDIS_PREFIX: PREFIX, WORKER_LOCK_MS: '1000' }));
  workers = await startWorkers(server.app.deps);
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
  await workers?.close();
  await stopServerAndRedis(server, redis);
});

/** An established account whose handle resolves in mentions. */
const veteran = (handle: string) => veteranOn(server, handle, { signIn: true });

/** Waits until the screening worker has screened every comment handed to it so far (and none failed: it would still be pending). */
async function screeningDone(): Promise<void> {
  await screeningIdle(redis.client, server.app.deps.store.keys.screening.stream);
}

const post = (u: TestUser, threadId: string, body: string) =>
  request(server.url)
    .post(`/api/threads/${threadId}/comments`)
    .set('Authorization', `Bearer ${u.token}`)
    .send({ body })
    .expect(201)
    .then((r) => r.body.comment);

const statusOf = async (commentId: string) => {
  const threadId = commentId.slice(0, commentId.lastIndexOf('~'));
  return redis.client.hget(`${PREFIX}{t:${threadId}}:c:${commentId}`, 'status');
};

async function viewer(threadId: string) {
  const s = await connectSocket(server.url);
  sockets.push(s);
  await ok(s, 'thread:join', { threadId });
  return record(s, 'thread:event');
}

describe('comparableText and countLinks', () => {
  it('ignore case, whitespace and punctuation; count http(s) and www links', () => {
    expect(comparableText('BUY cheap   pills!!! Now.')).toBe(comparableText('buy cheap pills now'));
    expect(countLinks('see https://a.example/x and http://b.example, www.c.example; not d.example')).toBe(3);
  });
});

describe('copy-paste raids', () => {
  it('hold every copy when five accounts post the same text, and remove them live from viewers', async () => {
    const threadId = 'raid';
    const events = await viewer(threadId);
    const raiders = await Promise.all(Array.from({ length: 5 }, (_, i) => veteran(`raider_${i}`)));
    const variants = [
      'Vote NO on the summit!!',
      'vote no on the summit',
      'VOTE   no on THE summit.',
      'Vote no, on the summit?',
      'vote-no-on-the-summit',
    ];
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(raiders[i]!, threadId, variants[i]!)).id);
    const bystander = await post(await veteran('bystander'), threadId, 'I think the summit is a good idea.');

    await eventually(async () => expect(await Promise.all(ids.map(statusOf))).toEqual(Array(5).fill('pending')), 8_000);
    expect(await statusOf(bystander.id)).toBe('visible');
    await eventually(() => expect(events.seen.filter((e) => e.type === 'comment.removed')).toHaveLength(5));
    const removed = events.seen.filter((e) => e.type === 'comment.removed');
    expect(new Set(removed.map((e) => e.comment.id))).toEqual(new Set(ids));
    expect(removed.map((e) => ({ status: e.comment.status, body: e.comment.body }))).toEqual(
      Array(5).fill({ status: 'pending', body: '' }),
    );
    const page = await request(server.url).get(`/api/threads/${threadId}/comments`);
    expect(page.body.comments.map((c: { id: string }) => c.id)).toEqual([bystander.id]);
    expect(await redis.client.zscore(`${PREFIX}{m}:queue:pending`, ids[0]!)).not.toBeNull();
    const moderation = JSON.parse((await redis.client.hget(`${PREFIX}{t:${threadId}}:c:${ids[0]}`, 'moderation'))!);
    expect(moderation).toMatchObject({
      status: 'pending',
      by: { kind: 'system', name: 'screening' },
      reasons: [{ rule: 'copy_paste_raid' }],
    });
    // Earlier copies were held by another author's job; each raider still sees their own copy, marked pending.
    const own = await Promise.all(
      raiders.map((r) => request(server.url).get(`/api/threads/${threadId}/comments`).set('Authorization', `Bearer ${r.token}`)),
    );
    expect(
      own.map((res) => res.body.pending?.map((c: { id: string }) => c.id)),
      'each raider’s own held copy',
    ).toEqual(ids.map((id) => [id]));
  });

  it('hold all copies when one account posts the same text three times', async () => {
    const spammer = await veteran('repeat_spammer');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(spammer, `repeat-${i}`, 'Great deals at my shop, check my profile')).id);
    await eventually(async () => expect(await Promise.all(ids.map(statusOf))).toEqual(['pending', 'pending', 'pending']), 8_000);
    // Short common replies are not compared.
    const fan = await veteran('short_fan');
    const thanks: string[] = [];
    for (let i = 0; i < 3; i++) thanks.push((await post(fan, `thanks-${i}`, 'Thanks!')).id);
    await screeningDone();
    expect(await Promise.all(thanks.map(statusOf))).toEqual(['visible', 'visible', 'visible']);
  });
});

describe('hidden characters', () => {
  it('do not make a copy different: three copies from one account, each with different invisible characters, are all held', async () => {
    const spammer = await veteran('hidden_spammer');
    const copies = [
      'Cheap watches at my shop, see my profile',
      'Cheap\u3164watches at my shop, see my profile',
      'Cheap watches at\u115Fmy sh\u200Bop, see my pro\uFE0Ffile',
    ];
    expect(new Set(copies.map(comparableText)).size, 'one fingerprint for the three copies').toBe(1);
    const ids: string[] = [];
    for (const [i, body] of copies.entries()) ids.push((await post(spammer, `hidden-${i}`, body)).id);
    await eventually(async () => expect(await Promise.all(ids.map(statusOf))).toEqual(['pending', 'pending', 'pending']), 8_000);
  });
});

describe('a workers process that dies holding comments', () => {
  it('leaves them to another, which screens them after WORKER_LOCK_MS', async () => {
    await workers.close();
    const spam = await post(
      await makeUser({ handle: 'orphan_newbie' }),
      'orphan',
      'Deals https://a.example https://b.example https://c.example https://d.example',
    );
    // A process that took the comment and died before acknowledging it.
    const taken = await new ScreenStream(redis.client, server.app.deps.store.keys.screening.stream).read('dead-worker', 10, 100);
    expect(
      taken.map((e) => e.commentId),
      'the dead worker took the comment',
    ).toEqual([spam.id]);
    workers = await startWorkers(server.app.deps);
    await eventually(
      async () => expect(await statusOf(spam.id), 'the orphaned comment was screened by the new worker and held').toBe('pending'),
      8_000,
    );
    await screeningDone();
  });
});

describe('link spam', () => {
  it('holds more than three links from an account younger than 24 h, not from an established one', async () => {
    const body = 'Read https://a.example/1 https://b.example/2 https://c.example/3 and www.d.example/4';
    const newbie = await makeUser({ handle: 'link_newbie' });
    const spam = await post(newbie, 'links', body);
    const veteranComment = await post(await veteran('link_veteran'), 'links', body);
    const threeLinks = await post(
      await makeUser({ handle: 'link_modest' }),
      'links',
      'Sources: https://a.example https://b.example https://c.example',
    );
    await eventually(async () => expect(await statusOf(spam.id)).toBe('pending'), 8_000);
    await screeningDone();
    expect(await statusOf(veteranComment.id)).toBe('visible');
    expect(await statusOf(threeLinks.id)).toBe('visible');
  });
});

describe('mention abuse', () => {
  it('holds a comment that hits the mention cap', async () => {
    const targets = await Promise.all(Array.from({ length: 10 }, (_, i) => veteran(`cap_target_${i}`)));
    const c = await post(await veteran('cap_author'), 'mentions', targets.map((t) => `@${t.handle}`).join(' '));
    expect(c.mentions).toHaveLength(10);
    await eventually(async () => expect(await statusOf(c.id)).toBe('pending'), 8_000);
  });

  it('holds one author mentioning the same user five times within the window', async () => {
    await veteran('harassed');
    const author = await veteran('harasser');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(author, `harass-${i}`, `@harassed answer me (${i})`)).id);
    await eventually(async () => expect(await Promise.all(ids.map(statusOf))).toEqual(Array(5).fill('pending')), 8_000);
  });
});

describe('decisions are idempotent', () => {
  it('screening the same comment again holds nothing new and emits nothing new', async () => {
    const spammer = await veteran('idem_spammer');
    const events = await viewer('idem');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(spammer, 'idem', 'Same old spam text again and again')).id);
    await eventually(async () => expect(await Promise.all(ids.map(statusOf))).toEqual(['pending', 'pending', 'pending']), 8_000);
    await eventually(() => expect(events.seen.filter((e) => e.type === 'comment.removed')).toHaveLength(3));
    const again = await processScreen(server.app.deps, { threadId: 'idem', commentId: ids[2]! });
    expect(again.held, 'comments held by screening again').toEqual([]);
    // A hold publishes its removal in the same Redis script that stores it, so whatever the second run (or a
    // screening job still running) emitted is published once they have returned. A comment posted now is
    // published after it on the same thread channel: once the viewer has the marker, an extra removal would be there.
    await screeningDone();
    const marker = await post(await veteran('idem_bystander'), 'idem', 'A different remark, as a marker');
    await eventually(() =>
      expect(
        events.seen.map((e) => e.comment.id),
        'events the viewer got (waiting for the marker)',
      ).toContain(marker.id),
    );
    expect(
      events.seen.filter((e) => e.type === 'comment.removed'),
      'comment.removed events after screening again',
    ).toHaveLength(3);
  });
});
