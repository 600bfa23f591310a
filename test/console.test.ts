import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../contract/index.ts';
import { launchChromium, skipBrowserTests, warnIfSkippingBrowser, watchErrors } from './support/chromium.ts';
import { makeUser, moderationSocket, type TestUser } from './support/clients.ts';
import { eventually } from './support/wait.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

/**
 * The moderation console in real Chromium: held comments with their reasons,
 * keyboard actions that reach readers, claims, the live feed, and refusal of
 * non-moderators. Every piece of user text must stay text.
 */
warnIfSkippingBrowser('console tests');

let redis: TestRedis;
let server: TestServer;
let browser: Browser;
let moderator: TestUser;
let admin: TestUser;

const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });
const post = async (u: TestUser, threadId: string, body: string, parentId?: string): Promise<Comment> =>
  (await request(server.url).post(`/api/threads/${threadId}/comments`).set(auth(u)).send({ body, parentId }).expect(201)).body.comment;

async function openConsole(user: TestUser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/moderate#token=${user.token}`);
  return { page, errors };
}

/** The feed lines' texts (without kind, time and buttons), once every article title in them has come. */
async function feedTexts(page: Page, selector = '.tc-feed .tc-event'): Promise<string[]> {
  await page.waitForFunction(() => [...document.querySelectorAll('.tc-feed .tc-thread-title')].every((t) => t.textContent !== '…'));
  return page.locator(`${selector} .tc-text`).allTextContents();
}

const queueIds = (page: Page) => page.locator('.tc-item').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.commentId));

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
  moderator = await makeUser({ handle: 'console_mod', name: 'Morgan Moderator', role: 'moderator' });
  admin = await makeUser({ handle: 'console_admin', role: 'admin' });
  await request(server.url)
    .put('/api/moderation/wordlists')
    .set(auth(admin))
    .send({ suspect: ['dotard'] })
    .expect(200);
}, 60_000);

afterAll(() => stopServerAndRedis(server, redis));

describe.skipIf(skipBrowserTests)('the moderation console in Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('lists held comments with their reasons, approves and rejects from the keyboard, and readers see the result', async () => {
    const { page, errors } = await openConsole(moderator);
    await page.waitForFunction(() => document.querySelector('.tc-connection')?.textContent === 'live');
    await page.waitForSelector('.tc-empty');

    const alice = await makeUser({ name: 'Alice' });
    const bob = await makeUser({ name: 'Bob <i>B</i>' });
    const first = await post(alice, 'console-thread', 'What a dotard <b>really</b>');
    const second = await post(bob, 'console-thread', 'Another dotard remark');
    expect([first.status, second.status], 'both held by the suspect list').toEqual(['pending', 'pending']);

    await page.waitForFunction(() => document.querySelectorAll('.tc-item').length === 2);
    expect(await queueIds(page), 'oldest first').toEqual([first.id, second.id]);
    expect(await page.locator('.tc-item .tc-body').allTextContents()).toEqual(['What a dotard <b>really</b>', 'Another dotard remark']);
    expect(await page.locator('.tc-item').first().locator('.tc-reasons').textContent()).toContain('suspect list: "dotard"');
    expect(await page.locator('.tc-tab[data-queue="pending"]').textContent()).toBe('Pending (2)');
    await page.waitForFunction(() => document.querySelectorAll('.tc-feed .tc-event-comment').length === 2);
    expect(await feedTexts(page, '.tc-feed .tc-event-comment'), 'new comments in the live feed with their verdict, newest first').toEqual([
      'Bob <i>B</i> in console-thread: Another dotard remark [pending: suspect list: "dotard"]',
      'Alice in console-thread: What a dotard <b>really</b> [pending: suspect list: "dotard"]',
    ]);
    expect(await page.locator('.tc b, .tc i').count(), 'user text stays text').toBe(0);

    await page.keyboard.press('a'); // approve the selected (first) item
    await page.waitForFunction(() => document.querySelectorAll('.tc-item').length === 1);
    expect(await queueIds(page)).toEqual([second.id]);
    await page.keyboard.press('r');
    await page.waitForSelector('.tc-empty');

    const visible = await request(server.url).get('/api/threads/console-thread/comments?order=oldest').expect(200);
    expect(
      visible.body.comments.map((c: Comment) => c.id),
      'readers see the approved comment only',
    ).toEqual([first.id]);
    await page.waitForFunction(() => document.querySelector('.tc-tab[data-queue="pending"]')?.textContent === 'Pending (0)');
    expect(await page.locator('.tc-feed .tc-event-action').count(), 'both actions in the feed').toBeGreaterThanOrEqual(2);

    await page.click('.tc-tab[data-queue="rejected"]');
    await page.waitForFunction(() => document.querySelectorAll('.tc-item').length === 1);
    expect(await queueIds(page)).toEqual([second.id]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('shows who else is handling an item and refuses to claim it over them', async () => {
    const other = await makeUser({ handle: 'console_mod_two', role: 'moderator' });
    const carol = await makeUser();
    const held = await post(carol, 'console-claims', 'you dotard');
    await request(server.url)
      .post(`/api/moderation/claims/${encodeURIComponent(held.id)}`)
      .set(auth(other))
      .expect(200);

    const { page, errors } = await openConsole(moderator);
    await page.waitForSelector(`.tc-item[data-comment-id="${held.id}"] .tc-claim`);
    expect(await page.locator(`.tc-item[data-comment-id="${held.id}"] .tc-claim`).textContent()).toMatch(
      /^@console_mod_two is handling this/,
    );
    await page.click(`.tc-item[data-comment-id="${held.id}"]`);
    await page.keyboard.press('c');
    await page.waitForFunction(() => document.querySelector('.tc-message')?.classList.contains('tc-bad'));
    expect(await page.locator('.tc-message').textContent()).toMatch(/^claim: @console_mod_two is handling this item/);
    expect(errors).toEqual([]);
  }, 30_000);

  it('follows new comments site-wide in the live feed, as text', async () => {
    const { page, errors } = await openConsole(moderator);
    await page.waitForFunction(() => document.querySelector('.tc-connection')?.textContent === 'live');
    const dave = await makeUser({ name: 'Dave' });
    await post(dave, 'console-live', 'Fresh <script>window.__x = 1</script> take');
    await page.waitForSelector('.tc-feed .tc-event-comment');
    expect((await feedTexts(page, '.tc-feed .tc-event-comment'))[0]).toBe(
      'Dave in console-live: Fresh <script>window.__x = 1</script> take',
    );
    expect(await page.evaluate(() => (window as unknown as { __x?: number }).__x)).toBeUndefined();
    expect(errors).toEqual([]);
  }, 30_000);

  it('bans an item’s author on a second b, and the ban holds at once', async () => {
    const troll = await makeUser({ handle: 'console_troll' });
    const held = await post(troll, 'console-ban', 'dotard dotard dotard');
    const { page, errors } = await openConsole(moderator);
    await page.waitForSelector(`.tc-item[data-comment-id="${held.id}"]`);
    await page.click(`.tc-item[data-comment-id="${held.id}"]`);
    await page.keyboard.press('b');
    expect(await page.locator('.tc-message').textContent(), 'the first b only asks').toMatch(/^Press b again .* @console_troll/);
    await request(server.url).post('/api/threads/console-ban/comments').set(auth(troll)).send({ body: 'still here' }).expect(201);
    await page.keyboard.press('b');
    await page.waitForFunction(() => /is banned/.test(document.querySelector('.tc-message')?.textContent ?? ''));
    const refused = await request(server.url).post('/api/threads/console-ban/comments').set(auth(troll)).send({ body: 'and now?' });
    expect({ status: refused.status, code: refused.body.error?.code }, 'the banned author cannot post').toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect(errors).toEqual([]);
  }, 30_000);

  it('narrows the queues, their counts and the live feed to one thread', async () => {
    const erin = await makeUser({ name: 'Erin' });
    const here = await post(erin, 'console-filter-a', 'dotard here');
    await post(erin, 'console-filter-b', 'dotard elsewhere');
    const { page, errors } = await openConsole(moderator);
    await page.waitForFunction(() => document.querySelector('.tc-connection')?.textContent === 'live');
    await page.fill('.tc-thread', 'console-filter-a');
    await page.click('.tc-thread-apply');
    await page.waitForFunction(() => document.querySelector('.tc-tab[data-queue="pending"]')?.textContent === 'Pending (1)');
    expect(await queueIds(page), 'only the chosen thread’s items').toEqual([here.id]);

    await post(erin, 'console-filter-b', 'Not this thread');
    const shown = await post(erin, 'console-filter-a', 'This thread');
    await page.waitForSelector('.tc-feed .tc-event-comment');
    // The other thread's comment was posted first; had it been delivered, it would be in the feed by now.
    expect(await feedTexts(page, '.tc-feed .tc-event-comment'), 'the feed follows the chosen thread only').toEqual([
      `Erin in console-filter-a: ${shown.body}`,
    ]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('shows who is signed in, article titles, and each item’s parent, author history and link into the thread', async () => {
    await request(server.url)
      .put('/api/threads/console-context')
      .set(auth(admin))
      .send({ title: 'Bridge <b>closes</b>', url: 'https://news.example.com/bridge' })
      .expect(200);
    const hana = await makeUser({ name: 'Hana' });
    const ivan = await makeUser({ name: 'Ivan' });
    const parent = await post(ivan, 'console-context', 'The bridge was unsafe');
    const earlier = await post(hana, 'console-context', 'dotard one');
    await request(server.url).post(`/api/moderation/comments/${earlier.id}/reject`).set(auth(moderator)).expect(200);
    const reply = await post(hana, 'console-context', 'you dotard', parent.id);

    const { page, errors } = await openConsole(moderator);
    await page.waitForFunction(() => document.querySelector('.tc-who')?.textContent?.startsWith('Signed in'));
    expect(await page.locator('.tc-who').textContent()).toBe('Signed in as Morgan Moderator (@console_mod, moderator)');
    const item = page.locator(`.tc-item[data-comment-id="${reply.id}"]`);
    await item.waitFor();
    expect(await item.locator('.tc-thread-title').textContent(), 'the article’s title, as text').toBe('Bridge <b>closes</b>');
    expect(await item.textContent(), 'no thread id where the title goes').not.toContain('console-context');
    expect(await item.locator('.tc-parent').textContent()).toBe('Replying to Ivan: The bridge was unsafe');
    expect(await item.locator('.tc-history').textContent()).toMatch(/^Hana · account first seen .+ · 2 comments · held 2× · rejected 1×$/);
    expect(await item.locator('a.tc-link').getAttribute('href')).toBe(`https://news.example.com/bridge#comment-${reply.id}`);
    expect(await item.locator('a.tc-link').getAttribute('rel')).toBe('noopener noreferrer');
    const time = item.locator('.tc-meta time');
    expect(await time.getAttribute('datetime')).toBe(reply.createdAt);
    expect(await time.getAttribute('title'), 'the full date on hover').toContain(String(new Date(reply.createdAt).getFullYear()));
    expect(await page.locator('.tc b').count(), 'titles stay text').toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);

  it('live feed: times and names, pauses and resumes, and opens items to claim, approve and reject them', async () => {
    await request(server.url)
      .put('/api/threads/console-feed')
      .set(auth(admin))
      .send({ title: 'Feed article', url: 'https://news.example.com/feed' })
      .expect(200);
    const { page, errors } = await openConsole(moderator);
    await page.waitForFunction(() => document.querySelector('.tc-connection')?.textContent === 'live');
    const jo = await makeUser({ name: 'Jo' });
    const line = (c: Comment) => page.locator(`.tc-feed .tc-event-comment[data-comment-id="${c.id}"]`);

    const first = await post(jo, 'console-feed', 'plain first');
    await line(first).waitFor();
    expect(await line(first).locator('time').getAttribute('datetime')).toBe(first.createdAt);
    expect(await line(first).locator('time').getAttribute('title'), 'the full date on hover').toContain(
      String(new Date(first.createdAt).getFullYear()),
    );
    await feedTexts(page);
    expect(await line(first).locator('.tc-text').textContent()).toBe('Jo in Feed article: plain first');
    expect(await line(first).textContent(), 'no raw ids').not.toMatch(new RegExp(`${jo.id}|${first.id}|console-feed`));

    await page.click('.tc-feed-pause');
    expect(await page.locator('.tc-feed-pause').getAttribute('aria-pressed')).toBe('true');
    const second = await post(jo, 'console-feed', 'a dotard second');
    const third = await post(jo, 'console-feed', 'plain third');
    await page.waitForFunction(() =>
      /^Paused: [3-9] new items waiting$/.test(document.querySelector('.tc-feed-status')?.textContent ?? ''),
    );
    expect(await line(second).count(), 'nothing new shows while paused').toBe(0);
    expect(await page.locator('.tc-feed-pause').textContent()).toMatch(/^Resume \([3-9] new\)$/);
    await page.click('.tc-feed-pause');
    expect(await feedTexts(page, '.tc-feed .tc-event-comment'), 'the buffered lines, newest first, above the older one').toEqual([
      'Jo in Feed article: plain third',
      'Jo in Feed article: a dotard second [pending: suspect list: "dotard"]',
      'Jo in Feed article: plain first',
    ]);
    expect(await page.locator('.tc-feed-status').textContent()).toBe('');

    await line(second).locator('.tc-open').click();
    const details = line(second).locator('.tc-details');
    await details.locator('.tc-body').waitFor();
    expect(await details.locator('.tc-body').textContent()).toBe('a dotard second');
    expect(await details.locator('.tc-history').textContent()).toMatch(/^Jo · account first seen .+ · 3 comments · held 1× · rejected 0×$/);
    await details.locator('.tc-claim-button').click();
    await page.waitForFunction(() => document.querySelector('.tc-message')?.textContent === 'Claimed for two minutes');
    await details.locator('.tc-approve').click();
    await page.waitForFunction(() => document.querySelector('.tc-message')?.textContent === 'approve: done');

    await line(third).locator('.tc-open').click();
    await line(third).locator('.tc-details .tc-reject').click();
    await page.waitForFunction(() => document.querySelector('.tc-message')?.textContent === 'reject: done');
    const visible = await request(server.url).get('/api/threads/console-feed/comments?order=oldest').expect(200);
    expect(
      visible.body.comments.map((c: Comment) => c.body),
      'approved from the feed: shown; rejected from the feed: gone',
    ).toEqual(['plain first', 'a dotard second']);
    expect(errors).toEqual([]);
  }, 30_000);

  it('refuses a commenter and says why', async () => {
    const commenter = await makeUser();
    const { page, errors } = await openConsole(commenter);
    await page.waitForFunction(() => document.querySelector('.tc-message')?.classList.contains('tc-bad'));
    expect(await page.locator('.tc-message').textContent()).toMatch(/moderator/i);
    expect(await page.locator('.tc-item').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);
});

// After the browser tests: these leave items in the site-wide queues, which the first of those expects empty.
describe('what moderators get to judge an item by (REST and socket)', () => {
  it('gives each queue item its article, parent comment, author history and a link into the thread', async () => {
    await request(server.url)
      .put('/api/threads/enriched')
      .set(auth(admin))
      .send({ title: 'Why the bridge closed', url: 'https://news.example.com/bridge#top' })
      .expect(200);
    const fran = await makeUser({ name: 'Fran' });
    const gil = await makeUser({ name: 'Gil' });
    const earlier = await post(fran, 'enriched', 'first dotard remark');
    await request(server.url).post(`/api/moderation/comments/${earlier.id}/reject`).set(auth(moderator)).expect(200);
    const parent = await post(gil, 'enriched', 'The bridge was unsafe');
    const reply = await post(fran, 'enriched', 'you dotard', parent.id);

    const page = await request(server.url).get('/api/moderation/queues/pending?threadId=enriched').set(auth(moderator)).expect(200);
    const item = page.body.items.find((i: { comment: Comment }) => i.comment.id === reply.id);
    expect(item, 'the held reply is in the pending queue').toBeDefined();
    expect(item.thread, 'the article, not just its id').toEqual({
      id: 'enriched',
      title: 'Why the bridge closed',
      url: 'https://news.example.com/bridge#top',
    });
    expect(item.parent, 'the comment it answers').toMatchObject({ id: parent.id, body: 'The bridge was unsafe', author: { name: 'Gil' } });
    expect(item.link).toBe(`https://news.example.com/bridge#comment-${reply.id}`);
    expect(item.author, 'two comments written, both held, one rejected').toMatchObject({ comments: 2, holds: 2, rejections: 1 });
    expect(Date.parse(item.author.firstSeenAt), 'account age from the user record').toBeLessThanOrEqual(Date.now());
    const history = server.app.deps.store.keys.user.moderationHistory(fran.id);
    expect(await server.redis.pttl(history), 'the counter expires with MODERATION_RETENTION_DAYS').toBeGreaterThan(0);

    const top = await request(server.url).get(`/api/moderation/comments/${parent.id}`).set(auth(moderator)).expect(200);
    expect(top.body.item, 'any comment, queued or not, opens with the same details').toMatchObject({
      comment: { id: parent.id },
      thread: { title: 'Why the bridge closed' },
      parent: null,
      author: { comments: 1, holds: 0, rejections: 0 },
      reports: { count: 0 },
    });
    const refused = await request(server.url).get(`/api/moderation/comments/${parent.id}`).set(auth(gil));
    expect(refused.status, 'readers do not get moderators’ details').toBe(403);
  });

  it('tells the console who it is signed in as', async () => {
    let session: unknown;
    const socket = await moderationSocket(server.url, moderator.token, (s) => s.on('mod:session', (p: unknown) => (session = p)));
    try {
      await eventually(() =>
        expect(session, 'mod:session on connect').toEqual({
          user: { id: moderator.id, handle: 'console_mod', name: 'Morgan Moderator', role: 'moderator' },
        }),
      );
    } finally {
      socket.disconnect();
    }
  });
});
