import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from './support/clients.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';

/**
 * The widget in real Chromium (Debian's package; .ci/run installs it): comments
 * arrive live and every piece of user text is shown as text, never run as HTML.
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`widget tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

let redis: TestRedis;
let server: TestServer;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;

describe.skipIf(!haveChromium)('the embeddable widget in Chromium', () => {
  beforeAll(async () => {
    redis = await startRedis();
    server = await startServer(redis.url);
    alice = await makeUser({ handle: 'widget_alice', name: 'Alice <b>Bold</b>' });
    bob = await makeUser({ handle: 'widget_bob', name: 'Bob' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await redis?.stop();
  });

  it('shows the thread, posts from the composer, and follows other readers’ comments live, all as plain text', async () => {
    const threadId = 'widget-thread';
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Already here: <script>window.__xss = "script"</script>' })
      .expect(201);

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${server.url}/demo/${threadId}#token=${alice.token}`);
    await page.waitForSelector('.tl-comment');
    expect(await page.locator('.tl-body').allTextContents()).toEqual(['Already here: <script>window.__xss = "script"</script>']);

    const payload = '<img src=x onerror="window.__xss = \'img\'"> Hello <b>there</b>\nsecond line';
    await page.fill('.tl-input', payload);
    await page.click('.tl-send');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 2);
    const bodies = await page.locator('.tl-body').allTextContents();
    expect(bodies[1]).toBe(payload);
    expect(await page.locator('.tl-author').allTextContents()).toEqual(['Bob', 'Alice <b>Bold</b>']);
    expect(await page.locator('.tl-list img, .tl-list b, .tl-list script').count()).toBe(0);

    // Another reader, another tab: sees Bob's next comment arrive without reloading.
    const reader = await browser.newPage();
    await reader.goto(`${server.url}/demo/${threadId}`);
    await reader.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 2);
    expect(await reader.locator('.tl-form').count()).toBe(0);
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Live <iframe src="javascript:alert(1)"></iframe>' })
      .expect(201);
    await reader.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);
    expect((await reader.locator('.tl-body').allTextContents())[2]).toBe('Live <iframe src="javascript:alert(1)"></iframe>');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);

    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await reader.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    await page.screenshot({ path: 'test-results/widget.png', fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows a refused post’s reason to its author', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/demo/widget-empty#token=${alice.token}`);
    await page.waitForSelector('.tl-input');
    // Past the textarea's own limit, as a script or an old browser could send.
    await page.evaluate(() => {
      const t = document.querySelector<HTMLTextAreaElement>('.tl-input')!;
      t.removeAttribute('maxlength');
      t.value = 'y'.repeat(5_001);
    });
    await page.click('.tl-send');
    await page.waitForFunction(() => (document.querySelector('.tl-error')?.textContent ?? '') !== '');
    expect(await page.locator('.tl-error').textContent()).toMatch(/at most 5000 characters/);
  }, 30_000);
});
