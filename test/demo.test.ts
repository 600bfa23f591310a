import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../contract/index.ts';
import { signToken } from '../server/auth/tokens.ts';
import { loadConfig } from '../server/config.ts';
import { DEMO_READER, handleFromName, importSeedThread, loadSeed, prepareDemoReader, SEED_THREAD_ID } from '../server/cli/seed.ts';
import { createKeys } from '../server/store/keys.ts';
import { launchChromium, skipBrowserTests, warnIfSkippingBrowser, watchErrors } from './support/chromium.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, TEST_SECRET, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;

// The posting limits `npm start` runs the demo with: the configuration's defaults, not the tests' relaxed ones.
const defaults = loadConfig({ AUTH_JWT_SECRET: TEST_SECRET }).limits;
const DEMO_LIMITS = {
  RATE_USER_SHORT: String(defaults.userShort.points),
  RATE_USER_SHORT_SECONDS: String(defaults.userShort.seconds),
  RATE_USER_LONG: String(defaults.userLong.points),
  RATE_IP: String(defaults.ip.points),
};

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer(DEMO_LIMITS));
});

afterAll(() => stopServerAndRedis(server, redis));

describe('handleFromName', () => {
  it.each([
    ['Matt Hartwell', 'MattHartwell'],
    ['I am Sam', 'IamSam'],
    ['itsonlyrocknroll', 'itsonlyrocknroll'],
    ['Strikebreaker555', 'Strikebreaker555'],
  ])('%s -> %s', (name, handle) => expect(handleFromName(name)).toBe(handle));
});

describe('seed import', () => {
  it('imports the article and its 17 comments with real mentions and recovered replies, idempotently', async () => {
    const deps = server.app.deps;
    const result = await importSeedThread(deps);
    expect(result.comments).toHaveLength(17);
    expect(result.users).toHaveLength(new Set(loadSeed().comments.map((c) => c.author)).size);

    const byAuthor = (handle: string) => result.comments.filter((c) => c.author.handle === handle);
    const ozzie = byAuthor('ozziedesigner')[0]!;
    const rock = byAuthor('itsonlyrocknroll');
    expect(ozzie.mentions).toEqual([{ userId: 'seed-itsonlyrocknroll', handle: 'itsonlyrocknroll' }]);
    expect(ozzie.parentId).toBe(rock[0]!.id);
    // "Hi ozziedesigner," answers ozziedesigner without being an @mention.
    expect(rock[1]!.parentId).toBe(ozzie.id);
    expect(rock[1]!.mentions).toEqual([]);
    expect(rock[1]!.body).toContain('https://www.newyorker.com/news/sporting-scene/politics-are-center-stage-at-a-south-korean-olympics');
    // "re: <quote>" answers the quoted comment.
    expect(byAuthor('bjohnson23')[0]!.parentId).toBe(byAuthor('Strikebreaker555')[0]!.id);
    // "The reality politically, Matt Hartwell, is ..." answers Matt.
    expect(rock[2]!.parentId).toBe(byAuthor('MattHartwell')[0]!.id);
    expect(byAuthor('MattHartwell')[0]!.author.name).toBe('Matt Hartwell');

    const again = await importSeedThread(deps);
    expect(again.comments.map((c) => c.id)).toEqual(result.comments.map((c) => c.id));
    const thread = await request(server.url).get(`/api/threads/${SEED_THREAD_ID}`);
    expect(thread.body.thread).toMatchObject({
      commentCount: 16,
      offset: 16,
      title: 'Kim Jong Un invites Moon Jae-in to Pyongyang',
    });
    const page = await request(server.url).get(`/api/threads/${SEED_THREAD_ID}/comments?order=oldest&limit=100`);
    expect(
      page.body.comments.map((c: { author: { name: string } }) => c.author.name),
      'every seed comment but the held one, in order',
    ).toEqual(
      loadSeed()
        .comments.map((c) => c.author)
        .filter((a) => a !== 'CrazyJoe'),
    );
  });

  it('leaves the console work: the rudest comment held by the word list, another reported', async () => {
    const result = await importSeedThread(server.app.deps);
    expect(
      result.held.map((c) => [c.author.name, c.status]),
      'held by the suspect list',
    ).toEqual([['CrazyJoe', 'pending']]);
    expect(result.reported?.author.name).toBe('Toasted Heretic');
    const moderator = await signToken(TEST_SECRET, { sub: 'demo-test-mod', handle: 'demo_test_mod', name: 'Mod', role: 'moderator' }, 600);
    const queue = async (name: string) =>
      (await request(server.url).get(`/api/moderation/queues/${name}`).set('Authorization', `Bearer ${moderator}`).expect(200)).body.items;
    const [pending, reported] = await Promise.all([queue('pending'), queue('reported')]);
    expect(pending.map((i: { comment: Comment }) => i.comment.id)).toEqual([result.held[0]!.id]);
    expect(pending[0].moderation.reasons).toEqual([{ rule: 'suspect_term', detail: 'suspect list: "dotard"' }]);
    expect(reported.map((i: { comment: Comment }) => i.comment.id)).toEqual([result.reported!.id]);
    expect(reported[0].reports).toMatchObject({ count: 1, reasons: { abuse: 1 } });
  });

  it('gives the seed comments plausible times: in their order, minutes apart, the last a few minutes ago', async () => {
    const { comments, users } = await importSeedThread(server.app.deps);
    const times = comments.map((c) => Date.parse(c.createdAt));
    expect(
      users.every((u) => u.firstSeenAt.getTime() < times[0]!),
      'the readers had accounts before they commented',
    ).toBe(true);
    const gapsMinutes = times.slice(1).map((t, i) => (t - times[i]!) / 60_000);
    expect(
      gapsMinutes.every((g) => g >= 3 && g <= 15),
      `gaps between 3 and 15 minutes, got ${gapsMinutes.join(', ')}`,
    ).toBe(true);
    const lastAgoMinutes = (Date.now() - times.at(-1)!) / 60_000;
    expect(lastAgoMinutes, 'the newest a few minutes old').toBeGreaterThan(1);
    expect(lastAgoMinutes).toBeLessThan(15);
  });

  it('runs as `npm run demo`, printing a token and URLs', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/cli/demo.ts'], {
      env: { ...process.env, REDIS_URL: redis.url, REDIS_PREFIX: 'democli:', AUTH_JWT_SECRET: 'x'.repeat(40), PORT: '3999' },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/Imported "korea-summit": 17 comments by 13 readers/);
    expect(stdout).toContain('Left for the console: 1 held by the word list ("dotard"), 1 reported by a reader.');
    expect(stdout).toMatch(/export TOKEN=eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(stdout, 'the demo shows how to mint more tokens, with npm -s so TOKEN=$(…) captures only the token').toContain(
      'TOKEN=$(npm run -s token -- ',
    );
    expect(stdout).toContain('http://localhost:3999/api/threads/korea-summit/comments');
    const keys = createKeys('democli:');
    expect(await redis.client.zcard(keys.thread.visible(SEED_THREAD_ID)), 'all but the held comment').toBe(16);
    expect(await redis.client.zcard(keys.moderation.queue('pending'))).toBe(1);
    expect(await redis.client.zcard(keys.moderation.queue('reported'))).toBe(1);
  });
});

warnIfSkippingBrowser('the demo page test');

describe.skipIf(skipBrowserTests)('the demo page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  it('lets the demo reader post at the site’s normal pace, and says why and until when once over the limit', async () => {
    await importSeedThread(server.app.deps);
    await prepareDemoReader(server.app.deps);
    const { id: sub, ...claims } = DEMO_READER;
    const token = await signToken(TEST_SECRET, { sub, ...claims }, 600);
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${SEED_THREAD_ID}#token=${token}`);
    await page.waitForSelector('.tl-input');

    const allowed = defaults.userShort.points;
    for (let i = 1; i <= allowed; i++) {
      await page.fill('.tl-input', `Demo comment ${i}`);
      await page.click('.tl-send');
      // A post that went through empties the box; one refused (or silently waiting) does not.
      await page.waitForFunction(() => (document.querySelector('.tl-input') as HTMLTextAreaElement).value === '', undefined, {
        timeout: 5_000,
      });
    }
    await page.fill('.tl-input', 'One too many');
    await page.click('.tl-send');
    await page.waitForFunction(() => document.querySelector('.tl-error')?.textContent !== '');
    const said = (await page.locator('.tl-error').textContent()) ?? '';
    expect(said, 'why, and the clock time the reader may post again').toMatch(/^You are commenting too fast\. You can post again at .+\.$/);
    expect(await page.locator('.tl-input').inputValue(), 'the refused text stays in the box').toBe('One too many');
    expect(await page.locator('.tl-send').isDisabled(), 'Post can be pressed again').toBe(false);
    expect(errors).toEqual([]);
  }, 60_000);
});
