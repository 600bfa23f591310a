import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../contract/index.ts';
import { browserBundle } from '../server/http/browser-bundle.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { launchChromium, skipBrowserTests, warnIfSkippingBrowser, watchErrors } from './support/chromium.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import { startHostSite, type HostSite } from './support/host-site.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';

/**
 * The widget's conversation in place and live behaviour in real Chromium:
 * replies under their comment, drafts that outlive live events, the title
 * heading, sorting, the "N new comments" bar, the connection state, DOM
 * patching by comment id, and sign-in through the token attribute.
 */
warnIfSkippingBrowser('widget live tests');

let redis: TestRedis;
let server: TestServer;
let browser: Browser;
let workers: RunningWorkers;
let hostSite: HostSite;
let alice: TestUser;
let bob: TestUser;
let moderator: TestUser;

const post = async (threadId: string, u: TestUser, body: string, parentId?: string): Promise<Comment> =>
  (
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${u.token}`)
      .send({ body, ...(parentId ? { parentId } : {}) })
      .expect(201)
  ).body.comment as Comment;

const item = (id: string) => `.tl-comment[data-comment-id="${id}"]`;
const commentCount = (page: Page) => page.locator('.tl-comment').count();
const drawnIds = (page: Page) =>
  page.locator('.tl-comment').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.commentId));

/** A host page that mounts the widget itself and keeps the handle in `window.widget`. */
function hostPage(path: string, body: string, mount: string): string {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>${body}` +
    `<script src="${server.url}/widget.js"></script><script>${mount}</script></body></html>`;
  hostSite.pages.set(path, html);
  return `${hostSite.url}${path}`;
}

describe('widget.js size', () => {
  it('stays under 40 KB gzip (README states the figure)', async () => {
    const bundle = await browserBundle(fileURLToPath(new URL('../client/widget/entry.ts', import.meta.url)));
    expect(bundle.encoded.gzip.length, `widget.js is ${bundle.encoded.gzip.length} bytes gzip`).toBeLessThan(40 * 1024);
  }, 60_000);
});

describe.skipIf(skipBrowserTests)('the widget, live, in Chromium', () => {
  beforeAll(async () => {
    redis = await startRedis();
    server = await startServer(redis.url);
    workers = await startWorkers(server.app.deps);
    alice = await makeUser({ handle: 'live_alice', name: 'Alice' });
    bob = await makeUser({ handle: 'live_bob', name: 'Bob' });
    moderator = await makeUser({ role: 'moderator' });
    hostSite = await startHostSite();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hostSite?.close();
    await workers?.close();
    await server?.close();
    await redis?.stop();
  });

  it('opens a link to a comment (#comment-<id>, the console\'s "View in thread") at that comment, and follows later links', async () => {
    const threadId = 'live-permalink';
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await post(threadId, bob, `Comment number ${i}\n\nwith a second paragraph`)).id);
    const page = await browser.newPage({ viewport: { width: 390, height: 500 } });
    const errors = watchErrors(page);
    const url = hostPage(
      '/permalink',
      '<div id="c"></div>',
      `Threadline.mount(document.getElementById('c'), { threadId: '${threadId}' }).then((h) => (window.widget = h));`,
    );
    const linked = ids[24]!;
    await page.goto(`${url}#comment-${linked}`);
    await page.waitForSelector(`[id="comment-${linked}"].tl-linked`);
    const inView = (id: string) =>
      page.evaluate((id) => {
        const r = document.getElementById(`comment-${id}`)!.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight;
      }, id);
    expect(await inView(linked), 'the linked comment is scrolled into view').toBe(true);
    expect(await inView(ids[0]!), 'the top of the thread is not').toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id), 'focus is on the linked comment').toBe(`comment-${linked}`);

    // A later link on the same page (the fragment changes without a reload).
    await page.evaluate((id) => (location.hash = `#comment-${id}`), ids[3]!);
    await page.waitForSelector(`[id="comment-${ids[3]!}"].tl-linked`);
    expect(await inView(ids[3]!)).toBe(true);
    expect(await page.locator('.tl-linked').count(), 'one comment is marked at a time').toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the reply composer under the comment; Escape and Cancel close it and give focus back to Reply; drafts outlive live events', async () => {
    const threadId = 'live-reply';
    const first = await post(threadId, bob, 'First thought');
    const second = await post(threadId, bob, 'Second thought');
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}#token=${alice.token}`);
    await page.waitForSelector(`${item(first.id)} .tl-reply-to`);
    const focusedClass = () => page.evaluate(() => document.activeElement?.className ?? '');
    const focusedIn = () => page.evaluate(() => (document.activeElement?.closest('.tl-comment') as HTMLElement | null)?.dataset.commentId);

    // Open: right under the comment, focused; the page does not jump to the composer at the bottom.
    await page.click(`${item(first.id)} .tl-reply-to`);
    expect(await page.locator(`${item(first.id)} .tl-reply-form`).count(), 'the reply composer is inside the answered comment').toBe(1);
    expect(await focusedClass()).toContain('tl-reply-input');
    expect(await focusedIn()).toBe(first.id);
    // Escape closes it; focus goes back to that comment's Reply button.
    await page.keyboard.press('Escape');
    expect(await page.locator('.tl-reply-form').count(), 'Escape closes the reply composer').toBe(0);
    expect(await focusedClass(), 'focus is back on Reply').toContain('tl-reply-to');
    expect(await focusedIn()).toBe(first.id);
    // Cancel does the same.
    await page.keyboard.press('Enter');
    await page.click(`${item(first.id)} .tl-reply-cancel`);
    expect(await page.locator('.tl-reply-form').count(), 'Cancel closes it').toBe(0);
    expect(await focusedClass()).toContain('tl-reply-to');

    // Drafts: one in the main composer, one in a reply; live events (a new comment, an edit of the
    // answered comment itself) come in while the reader types in the reply.
    await page.fill('.tl-input', 'Main draft');
    await page.click(`${item(second.id)} .tl-reply-to`);
    await page.keyboard.type('Reply dr');
    await post(threadId, bob, 'Meanwhile');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);
    await request(server.url)
      .patch(`/api/comments/${second.id}`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Second thought, edited' })
      .expect(200);
    await page.waitForFunction((id) => document.querySelector(`[data-comment-id="${id}"] .tl-edited`), second.id);
    await page.keyboard.type('aft');
    expect(await page.locator(`${item(second.id)} .tl-reply-input`).inputValue(), 'the reply draft, focus and caret survive').toBe(
      'Reply draft',
    );
    expect(await page.locator('.tl-input').inputValue(), 'the main draft survives').toBe('Main draft');

    await page.click(`${item(second.id)} .tl-reply-send`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 4 && !document.querySelector('.tl-reply-form'));
    const ids = await drawnIds(page);
    expect(ids[ids.indexOf(second.id) + 1], 'the reply is drawn right under the answered comment').not.toBe(undefined);
    expect(await page.locator(`${item(ids[ids.indexOf(second.id) + 1]!)} .tl-body`).textContent()).toBe('Reply draft');
    expect(await focusedClass(), 'after posting, focus is on Reply of the answered comment').toContain('tl-reply-to');
    expect(errors).toEqual([]);
  }, 60_000);

  it('heads the widget with the thread’s title from the API, or with the host’s own slotted heading', async () => {
    const threadId = 'live-title';
    await request(server.url)
      .put(`/api/threads/${threadId}`)
      .set('Authorization', `Bearer ${moderator.token}`)
      .send({ title: 'Summit <b>ends</b> early', url: 'https://news.example.com/summit' })
      .expect(200);
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForFunction(() => document.querySelector('.tl-title')?.textContent !== '');
    expect(await page.locator('.tl h2.tl-title').textContent(), 'the title, as text').toBe('Summit <b>ends</b> early');

    const url = hostPage(
      '/slotted',
      `<div id="c"><h3 slot="heading" id="own">Reader comments on our story</h3></div>`,
      `Threadline.mount(document.getElementById('c'), { threadId: '${threadId}' }).then((h) => (window.widget = h));`,
    );
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { widget?: unknown }).widget !== undefined);
    expect(await page.locator('.tl #own').textContent(), 'the host’s heading is kept, inside the widget').toBe(
      'Reader comments on our story',
    );
    expect(await page.locator('.tl-title').count(), 'no second heading').toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it('sorts oldest, newest or featured first, marks featured comments, keeps replies under their parents and the choice through live events', async () => {
    const threadId = 'live-sort';
    const a = await post(threadId, bob, 'A');
    const b = await post(threadId, bob, 'B');
    const reply = await post(threadId, alice, 'reply to A', a.id);
    const c = await post(threadId, bob, 'C');
    await request(server.url)
      .post(`/api/moderation/comments/${b.id}/feature`)
      .set('Authorization', `Bearer ${moderator.token}`)
      .expect(200);
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 4);
    expect(await drawnIds(page), 'oldest first (the default)').toEqual([a.id, reply.id, b.id, c.id]);
    expect(await page.locator(`${item(b.id)} .tl-badge-featured`).textContent(), 'the featured comment is marked').toBe('Featured');
    expect(await page.locator('.tl-badge-featured').count(), 'only it').toBe(1);

    await page.selectOption('.tl-sort', 'newest');
    expect(await drawnIds(page), 'newest first; the reply stays under its parent').toEqual([c.id, b.id, a.id, reply.id]);
    await page.selectOption('.tl-sort', 'featured');
    expect(await drawnIds(page), 'featured first, then newest').toEqual([b.id, c.id, a.id, reply.id]);

    const d = await post(threadId, bob, 'D');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 5);
    expect(await page.locator('.tl-sort').inputValue(), 'the choice survives a live event').toBe('featured');
    expect(await drawnIds(page), 'and so does the order').toEqual([b.id, d.id, c.id, a.id, reply.id]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('holds comments that arrive above the reader’s place behind a "N new comments" bar, and shows them on click', async () => {
    const threadId = 'live-new-bar';
    for (let i = 0; i < 30; i += 10)
      await Promise.all(Array.from({ length: 10 }, (_, j) => post(threadId, bob, `comment ${i + j}\nwith a second line`)));
    const page = await browser.newPage({ viewport: { width: 390, height: 600 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 30);
    await page.selectOption('.tl-sort', 'newest');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    expect(await page.evaluate(() => window.scrollY), 'the page is scrolled down').toBeGreaterThan(600);
    // What the reader sees: the first comment in view and where it is.
    const inView = () =>
      page.evaluate(() => {
        const li = [...document.querySelectorAll<HTMLElement>('.tl-comment')].find((n) => n.getBoundingClientRect().bottom > 0)!;
        return { id: li.dataset.commentId, top: Math.round(li.getBoundingClientRect().top) };
      });
    const seen = await inView();
    const bar = page.locator('.tl-new-bar');
    expect(await bar.isHidden(), 'no bar before anything new').toBe(true);

    const fresh = await post(threadId, bob, 'Breaking: one');
    await expect.poll(() => bar.textContent(), { message: 'the bar counts the held comment' }).toBe('1 new comment');
    expect(await bar.isVisible()).toBe(true);
    expect(await commentCount(page), 'the new comment is not inserted above the reader').toBe(30);
    const now = await inView();
    expect(now.id, 'the reader still sees the same comment first').toBe(seen.id);
    // Within a pixel: Chromium's scroll anchoring keeps it in place when the bar appears above, to whole pixels.
    expect(Math.abs(now.top - seen.top), 'what the reader was reading did not move').toBeLessThanOrEqual(1);
    await post(threadId, bob, 'Breaking: two');
    await expect.poll(() => bar.textContent(), { message: 'plural' }).toBe('2 new comments');

    await bar.click();
    expect(await commentCount(page), 'both shown').toBe(32);
    expect(await bar.isHidden(), 'the bar goes').toBe(true);
    const top = await page.locator(item(fresh.id)).evaluate((li) => li.getBoundingClientRect().top);
    expect(top, 'the page scrolled to them').toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(600);

    // At the top of the list nothing is held: a new comment goes straight in.
    await page.evaluate(() => window.scrollTo(0, 0));
    await post(threadId, bob, 'Breaking: three');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 33);
    expect(await bar.isHidden()).toBe(true);

    // Any insert above the reader counts, not only newest first: oldest first, a reply to the first comment.
    await page.selectOption('.tl-sort', 'oldest');
    const oldest = await drawnIds(page);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await post(threadId, alice, 'A late reply to the first', oldest[0]);
    await expect.poll(() => bar.textContent(), { message: 'the reply above is held too' }).toBe('1 new comment');
    expect(await commentCount(page)).toBe(33);
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows live, offline and reconnecting states in a polite status region', async () => {
    const threadId = 'live-connection';
    await post(threadId, bob, 'Hello');
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(
      hostPage(
        '/connection',
        '<div id="c"></div>',
        `Threadline.mount(document.getElementById('c'), { threadId: '${threadId}' }).then((h) => (window.widget = h));`,
      ),
    );
    const state = page.locator('.tl-connection');
    await expect.poll(() => state.textContent(), { message: 'live once joined' }).toBe('Live');
    expect(await state.getAttribute('role'), 'announced politely (role=status)').toBe('status');
    await page.evaluate(() => {
      const node = document.querySelector<HTMLElement>('.tl-connection')!;
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      new MutationObserver(() => seen.push(node.dataset.state!)).observe(node, { attributes: true, attributeFilter: ['data-state'] });
    });

    await page.context().setOffline(true);
    await expect.poll(() => state.textContent(), { message: 'offline with the browser' }).toBe('Offline');
    await page.context().setOffline(false);
    await expect.poll(() => state.textContent(), { message: 'live again once back online', timeout: 15_000 }).toBe('Live');

    // The transport drops (as on a network change): reconnecting, then live again by itself.
    await page.evaluate(() => (window as unknown as { seen: string[] }).seen.splice(0));
    await page.evaluate(() =>
      (
        window as unknown as { widget: { client: { socket: { io: { engine: { close(): void } } } } } }
      ).widget.client.socket.io.engine.close(),
    );
    await expect.poll(() => state.textContent(), { message: 'live again after the drop', timeout: 15_000 }).toBe('Live');
    expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen), 'reconnecting was shown in between').toEqual([
      'reconnecting',
      'live',
    ]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('patches the list on live events: an unrelated comment stays the same DOM node through a new comment, an edit, a feature and a removal', async () => {
    const threadId = 'live-patch';
    const steady = await post(threadId, bob, 'I stay put');
    const edited = await post(threadId, bob, 'Edit me');
    const removed = await post(threadId, bob, 'Remove me');
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);
    await page.evaluate((id) => {
      (window as unknown as { steady: Element }).steady = document.querySelector(`[data-comment-id="${id}"]`)!;
    }, steady.id);
    const sameNode = () =>
      page.evaluate(
        (id) => document.querySelector(`[data-comment-id="${id}"]`) === (window as unknown as { steady: Element }).steady,
        steady.id,
      );

    await post(threadId, alice, 'New one');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 4);
    expect(await sameNode(), 'same node after a new comment').toBe(true);

    await request(server.url)
      .patch(`/api/comments/${edited.id}`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Edited' })
      .expect(200);
    await page.waitForFunction((id) => document.querySelector(`[data-comment-id="${id}"] .tl-body`)?.textContent === 'Edited', edited.id);
    expect(await sameNode(), 'same node after another comment’s edit').toBe(true);

    await request(server.url)
      .post(`/api/moderation/comments/${edited.id}/feature`)
      .set('Authorization', `Bearer ${moderator.token}`)
      .expect(200);
    await page.waitForSelector(`${item(edited.id)} .tl-badge-featured`);
    expect(await sameNode(), 'same node after another comment is featured').toBe(true);

    await request(server.url).delete(`/api/comments/${removed.id}`).set('Authorization', `Bearer ${moderator.token}`).expect(200);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);
    expect(await sameNode(), 'same node after another comment’s removal').toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);

  it('signs in when the host sets data-threadline-token on the element, without a reload', async () => {
    const threadId = 'live-attr-signin';
    await post(threadId, bob, 'Anyone?');
    hostSite.pages.set(
      '/attr',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Attr</title></head><body>` +
        `<div id="c" data-threadline-thread="${threadId}"></div><script>window.loaded = 1</script>` +
        `<script src="${server.url}/widget.js"></script></body></html>`,
    );
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${hostSite.url}/attr`);
    await page.waitForSelector('.tl-signin', { timeout: 10_000 });
    expect(await page.locator('.tl-input').count(), 'anonymous: no composer').toBe(0);

    await page.evaluate((token) => document.getElementById('c')!.setAttribute('data-threadline-token', token), alice.token);
    await page.waitForSelector('.tl-input', { timeout: 10_000 });
    expect(await page.locator('.tl-signin').count(), 'the sign-in button goes').toBe(0);
    await page.fill('.tl-input', 'Signed in by attribute');
    await page.click('.tl-send');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 2, undefined, { timeout: 10_000 });
    expect(await page.locator('.tl-author').allTextContents()).toEqual(['Bob', 'Alice']);
    expect(await page.evaluate(() => (window as unknown as { loaded: number }).loaded), 'no reload').toBe(1);
    expect(errors).toEqual([]);
  }, 60_000);
});
