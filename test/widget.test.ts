import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../contract/index.ts';
import { startWorkers, type RunningWorkers } from '../workers/index.ts';
import { launchChromium, skipBrowserTests, warnIfSkippingBrowser, watchErrors } from './support/chromium.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import { startHostSite, type HostSite } from './support/host-site.ts';
import { startRedis, type TestRedis } from './support/redis.ts';
import { startServer, type TestServer } from './support/server.ts';

/**
 * The widget in real Chromium (Debian's package; .ci/run installs it): comments
 * arrive live and every piece of user text is shown as text, never run as HTML.
 */
warnIfSkippingBrowser('widget tests');

let redis: TestRedis;
let server: TestServer;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let hostSite: HostSite;
let workers: RunningWorkers;

describe.skipIf(skipBrowserTests)('the embeddable widget in Chromium', () => {
  beforeAll(async () => {
    redis = await startRedis();
    server = await startServer(redis.url);
    workers = await startWorkers(server.app.deps);
    alice = await makeUser({ handle: 'widget_alice', name: 'Alice <b>Bold</b>' });
    bob = await makeUser({ handle: 'widget_bob', name: 'Bob' });
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

  it('shows the thread, posts from the composer, and follows other readers’ comments live, all as plain text', async () => {
    const threadId = 'widget-thread';
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Already here: <script>window.__xss = "script"</script>' })
      .expect(201);

    const page = await browser.newPage();
    const errors = watchErrors(page);
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

  it('lets a signed-in reader reply in place, delete their own comment and report another’s; the server’s mentions stand out', async () => {
    const threadId = 'widget-actions';
    const post = async (u: TestUser, body: string) =>
      (
        await request(server.url)
          .post(`/api/threads/${threadId}/comments`)
          .set('Authorization', `Bearer ${u.token}`)
          .send({ body })
          .expect(201)
      ).body.comment as Comment;
    // Users exist once the server has seen them; a mention of someone never seen stays plain text.
    await request(server.url).get(`/api/threads/${threadId}`).set('Authorization', `Bearer ${alice.token}`).expect(200);
    const question = await post(bob, 'Hi @widget_alice, what do you think? (not @nobody_here, not bob@example.com)');
    const later = await post(bob, 'Another topic');
    const ids = (p: Page) => p.locator('.tl-comment').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.commentId));

    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}#token=${alice.token}`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment .tl-actions').length === 2);
    expect(await page.locator('.tl-mention').allTextContents(), 'only the resolved mention is picked out').toEqual(['@widget_alice']);
    expect((await page.locator('.tl-body').allTextContents())[0]).toBe(question.body);
    expect(await page.locator('.tl-delete').count(), 'no Delete on someone else’s comments').toBe(0);

    // Reply: the composer opens under the comment it answers (focused, no jump to the bottom one), and the reply lands there.
    const questionItem = `.tl-comment[data-comment-id="${question.id}"]`;
    await page.click(`${questionItem} .tl-reply-to`);
    expect(await page.locator(`${questionItem} .tl-reply-input`).getAttribute('aria-label')).toBe('Reply to Bob');
    expect(
      await page.evaluate(() => document.activeElement?.classList.contains('tl-reply-input')),
      'focus is in the reply box under the comment',
    ).toBe(true);
    await page.keyboard.type('I agree with @widget_bob');
    await page.click(`${questionItem} .tl-reply-send`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);
    const listed = await request(server.url).get(`/api/threads/${threadId}/comments?order=oldest`).expect(200);
    const reply = (listed.body.comments as Comment[]).find((c) => c.author?.id === alice.id)!;
    expect(reply.parentId, 'the reply was posted with its parent').toBe(question.id);
    expect(await ids(page), 'conversation order: question, its reply, then the later comment').toEqual([question.id, reply.id, later.id]);
    expect(await page.locator(`.tl-comment[data-comment-id="${reply.id}"]`).getAttribute('class')).toContain('tl-reply');
    await page.waitForFunction(() => !document.querySelector('.tl-reply-form'));
    expect(await page.locator('.tl-input').inputValue(), 'the main composer was not used').toBe('');

    // Report: the reason being chosen survives a live comment redrawing the list, and reaches the moderators.
    const laterItem = `.tl-comment[data-comment-id="${later.id}"]`;
    await page.click(`${laterItem} .tl-report`);
    await page.selectOption(`${laterItem} .tl-report-reason`, 'off_topic');
    const live = await post(bob, 'Meanwhile, live');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 4);
    expect(await page.locator(`${laterItem} .tl-report-reason`).inputValue(), 'the open report form after a redraw').toBe('off_topic');
    await page.click(`${laterItem} .tl-report-send`);
    await page.waitForSelector(`${laterItem} .tl-reported`);
    const moderator = await makeUser({ role: 'moderator' });
    const reported = await request(server.url)
      .get('/api/moderation/queues/reported')
      .set('Authorization', `Bearer ${moderator.token}`)
      .expect(200);
    expect(
      reported.body.items.map((i: { comment: Comment; reports: { reasons: Record<string, number> } }) => [i.comment.id, i.reports.reasons]),
    ).toContainEqual([later.id, { off_topic: 1 }]);

    // Delete: gone for another reader too; an anonymous reader gets no actions at all.
    const reader = await browser.newPage();
    await reader.goto(`${server.url}/demo/${threadId}`);
    await reader.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 4);
    expect(await reader.locator('.tl-actions').count(), 'no actions for an anonymous reader').toBe(0);
    await page.click(`.tl-comment[data-comment-id="${reply.id}"] .tl-delete`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);
    await reader.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 3);
    expect(await ids(reader)).toEqual([question.id, later.id, live.id]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('makes http(s) links in a body clickable as DOM anchors, leaves other schemes as text, and keeps mentions apart from links', async () => {
    const threadId = 'widget-links';
    // Alice is seen first so her handle resolves as a mention.
    await request(server.url).get(`/api/threads/${threadId}`).set('Authorization', `Bearer ${alice.token}`).expect(200);
    const body =
      'Hi @widget_alice see https://example.com/a?b=1 and javascript:alert(1) and www.example.org, not https://example.com/@widget_alice';
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body })
      .expect(201);

    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForSelector('.tl-comment .tl-body');
    const links = await page.locator('.tl-body a').evaluateAll((as) =>
      as.map((a) => ({
        text: a.textContent,
        href: a.getAttribute('href'),
        rel: a.getAttribute('rel'),
        target: a.getAttribute('target'),
      })),
    );
    const attrs = { rel: 'nofollow ugc noopener', target: '_blank' };
    expect(links, 'https URLs and the bare www. host are links (www. gets https); javascript: is not').toEqual([
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1', ...attrs },
      { text: 'www.example.org', href: 'https://www.example.org/', ...attrs },
      { text: 'https://example.com/@widget_alice', href: 'https://example.com/@widget_alice', ...attrs },
    ]);
    expect(await page.locator('.tl-body [href^="javascript:" i]').count(), 'no javascript: link').toBe(0);
    expect(
      await page.locator('.tl-mention').allTextContents(),
      'the mention outside the URL stands out; the one inside is part of the link',
    ).toEqual(['@widget_alice']);
    expect(await page.locator('.tl-body').textContent(), 'the text reads as written').toBe(body);
    await page.close();
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows each comment’s time as a <time> with relative text and the full date on hover, kept fresh without a reload', async () => {
    const threadId = 'widget-time';
    const posted = await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Fresh off the press' })
      .expect(201);
    const createdAt = (posted.body as { comment: Comment }).comment.createdAt;

    const page = await browser.newPage();
    const errors = watchErrors(page);
    // A fake clock from now on, so the page's own timer can be moved five minutes on.
    await page.clock.install();
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForSelector('.tl-comment .tl-body');
    const time = page.locator('.tl-comment time.tl-time');
    expect(await time.count(), 'the comment carries one <time class="tl-time">').toBe(1);
    expect(await time.getAttribute('datetime'), 'datetime is the comment’s createdAt').toBe(createdAt);
    expect(await time.textContent(), 'a comment posted just now reads as recent').toMatch(/now|sec/i);
    const title = (await time.getAttribute('title')) ?? '';
    expect(title, 'the hover title holds the full date with the year').toContain(String(new Date(createdAt).getFullYear()));
    expect(title.length, 'the title is a full date, not the relative text').toBeGreaterThan(15);
    const box = await time.boundingBox();

    await page.clock.fastForward('05:00');
    await expect.poll(() => time.textContent(), { message: 'five minutes on, the text follows without a reload' }).toMatch(/5 min/);
    const after = await time.boundingBox();
    expect(after?.width, 'the time keeps its width, so nothing after it moves').toBe(box?.width);
    await page.close();
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows a signed-in reader’s unread notifications on a bell, lists them as text with a safe link, and marks them read', async () => {
    const carol = await makeUser({ handle: 'widget_carol', name: 'Carol' });
    const moderator = await makeUser({ role: 'moderator' });
    await request(server.url).get('/api/threads/widget-bell').set('Authorization', `Bearer ${carol.token}`).expect(200);
    await request(server.url)
      .put('/api/threads/bell-article')
      .set('Authorization', `Bearer ${moderator.token}`)
      .send({ title: 'The bell article', url: 'https://news.example.com/bell' })
      .expect(200);

    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/widget-bell#token=${carol.token}`);
    await page.waitForSelector('.tl-bell');
    expect(await page.locator('.tl-bell-count').count(), 'no count while nothing is unread').toBe(0);

    await request(server.url)
      .post('/api/threads/bell-article/comments')
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: '@widget_carol see this <b>now</b>' })
      .expect(201);
    await page.waitForSelector('.tl-bell-count', { timeout: 10_000 });
    expect(await page.locator('.tl-bell-count').textContent()).toBe('1');

    await page.click('.tl-bell');
    await page.waitForSelector('.tl-inbox li');
    expect(await page.locator('.tl-inbox li').allTextContents()).toEqual([
      'Bob mentioned you in The bell article: @widget_carol see this <b>now</b>',
    ]);
    expect(await page.locator('.tl-inbox a').getAttribute('href')).toBe('https://news.example.com/bell');
    expect(await page.locator('.tl-inbox b').count(), 'the excerpt is text').toBe(0);
    await page.waitForFunction(() => !document.querySelector('.tl-bell-count'));
    const inbox = await request(server.url).get('/api/notifications').set('Authorization', `Bearer ${carol.token}`).expect(200);
    expect(inbox.body.unread, 'opening the bell marked the notification read').toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);

  it('suggests @mentions from the thread’s participants as the reader types, and inserts the chosen handle', async () => {
    const threadId = 'widget-mention';
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Who agrees?' })
      .expect(201);
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}#token=${alice.token}`);
    await page.waitForSelector('.tl-input');

    await page.locator('.tl-input').pressSequentially('Yes @widget_');
    await page.waitForSelector('.tl-suggest-user');
    const suggested = await page.locator('.tl-suggest-user').allTextContents();
    expect(suggested[0], 'the thread’s participant first').toBe('Bob@widget_bob');
    expect(
      suggested.filter((s) => s.endsWith('@widget_alice')),
      'never yourself',
    ).toEqual([]);
    await page.locator('.tl-suggest-user').first().click();
    expect(await page.locator('.tl-input').inputValue()).toBe('Yes @widget_bob ');
    expect(await page.locator('.tl-suggest').isHidden()).toBe(true);

    await page.locator('.tl-input').pressSequentially('you said it');
    await page.click('.tl-send');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 2);
    expect(await page.locator('.tl-comment').nth(1).locator('.tl-mention').allTextContents()).toEqual(['@widget_bob']);
    expect(errors).toEqual([]);
  }, 30_000);

  it('keeps a deleted or removed comment’s place as a tombstone while it has replies, live and after a reload', async () => {
    const threadId = 'widget-tombstone';
    const moderator = await makeUser({ role: 'moderator' });
    const post = async (u: TestUser, body: string, parentId?: string) =>
      (
        await request(server.url)
          .post(`/api/threads/${threadId}/comments`)
          .set('Authorization', `Bearer ${u.token}`)
          .send(parentId ? { body, parentId } : { body })
          .expect(201)
      ).body.comment as Comment;
    const earlier = await post(bob, 'An earlier, unrelated comment');
    const parent = await post(alice, 'Parent its author deletes');
    const reply = await post(bob, 'Reply to the deleted parent', parent.id);
    const taken = await post(bob, 'Parent a moderator removes');
    const takenReply = await post(alice, 'Reply to the removed parent', taken.id);
    const lonely = await post(bob, 'Removed, and nobody answered it');
    const drawn = (p: Page) =>
      p
        .locator('.tl-comment')
        .evaluateAll((items) =>
          items.map((li) => [
            (li as HTMLElement).dataset.commentId,
            li.classList.contains('tl-tombstone') ? li.textContent : (li.querySelector('.tl-body')?.textContent ?? ''),
            li.classList.contains('tl-reply'),
            li.querySelectorAll('.tl-author, .tl-actions').length > 0,
          ]),
        );

    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 6);
    const del = (id: string, u: TestUser) =>
      request(server.url).delete(`/api/comments/${id}`).set('Authorization', `Bearer ${u.token}`).expect(200);
    await del(parent.id, alice);
    await del(taken.id, moderator);
    await del(lonely.id, moderator);
    const expected = [
      [earlier.id, earlier.body, false, true],
      [parent.id, 'This comment was deleted', false, false],
      [reply.id, reply.body, true, true],
      [taken.id, 'Removed by a moderator', false, false],
      [takenReply.id, takenReply.body, true, true],
    ];
    await page
      .waitForFunction(
        () => document.querySelectorAll('.tl-comment').length === 5 && document.querySelectorAll('.tl-tombstone').length === 2,
        undefined,
        { timeout: 5_000 },
      )
      .catch(() => undefined);
    expect(
      await drawn(page),
      'live: tombstones (no author, no actions) in the parents’ places, replies under them, the unanswered removal gone',
    ).toEqual(expected);

    await page.reload();
    await page.waitForSelector('.tl-comment');
    expect(await drawn(page), 'after a reload: the same').toEqual(expected);
    expect(errors).toEqual([]);
  }, 30_000);

  it('counts the whole thread, not the loaded page, and shows older comments on request', async () => {
    const threadId = 'widget-older';
    for (let i = 0; i < 55; i += 11) {
      await Promise.all(
        Array.from({ length: 11 }, (_, j) =>
          request(server.url)
            .post(`/api/threads/${threadId}/comments`)
            .set('Authorization', `Bearer ${bob.token}`)
            .send({ body: `comment ${i + j}` })
            .expect(201),
        ),
      );
    }
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}`);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 50);
    await page.waitForFunction(() => document.querySelector('.tl-count')?.textContent !== '');
    expect(await page.locator('.tl-count').textContent(), 'the thread’s count, not the page’s').toBe('55 comments');
    expect(await page.locator('.tl-older').isVisible()).toBe(true);

    await page.click('.tl-older');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 55);
    expect(await page.locator('.tl-older').isHidden(), 'nothing older left').toBe(true);
    const bodies = await page.locator('.tl-body').allTextContents();
    expect(new Set(bodies).size, 'every comment once').toBe(55);

    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'and one more, live' })
      .expect(201);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 56);
    expect(await page.locator('.tl-count').textContent(), 'the count follows live comments').toBe('56 comments');
    expect(errors).toEqual([]);
  }, 30_000);

  it('lets an author edit their comment in place, keeping the draft and caret through live updates', async () => {
    const threadId = 'widget-edit';
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/demo/${threadId}#token=${alice.token}`);
    await page.waitForSelector('.tl-input');
    await page.fill('.tl-input', 'Teh first draft');
    await page.click('.tl-send');
    await page.waitForSelector('.tl-comment .tl-edit');
    const reader = await browser.newPage();
    await reader.goto(`${server.url}/demo/${threadId}`);
    await reader.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 1);

    await page.click('.tl-comment .tl-edit');
    const editor = page.locator('.tl-edit-input');
    expect(await editor.inputValue()).toBe('Teh first draft');
    await editor.focus();
    await editor.press('Home');
    await editor.press('Delete');
    await editor.press('Delete');
    await editor.press('Delete');
    await page.keyboard.type('The');
    // Someone posts meanwhile: the list is redrawn under the author's hands.
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'interrupting' })
      .expect(201);
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 2);
    await page.keyboard.type(' one');
    expect(await page.locator('.tl-edit-input').inputValue(), 'the draft and caret survive the redraw').toBe('The one first draft');
    await page.click('.tl-edit-save');
    await page.waitForFunction(() => !document.querySelector('.tl-edit-input'));
    expect((await page.locator('.tl-body').allTextContents())[0]).toBe('The one first draft');
    await reader.waitForFunction(() => document.querySelector('.tl-body')?.textContent === 'The one first draft');
    expect(await reader.locator('.tl-edited').count(), 'readers see it was edited').toBe(1);
    expect(await page.locator('.tl-comment').nth(1).locator('.tl-edit').count(), 'no Edit on someone else’s comment').toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);

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

  it('mounts from an inline script on another site’s page and connects to where widget.js came from', async () => {
    const threadId = 'widget-inline';
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'First!' })
      .expect(201);
    // As the widget's header comment and docs/sdk.md show: no server URL given.
    // One call runs while the inline script runs, one later (no current script then).
    hostSite.pages.set(
      '/article',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An article</title></head><body>` +
        `<div id="now"></div><div id="later"></div>` +
        `<script src="${server.url}/widget.js"></script>` +
        `<script>Threadline.mount(document.getElementById('now'), { threadId: '${threadId}', token: '${alice.token}' });` +
        `setTimeout(() => Threadline.mount(document.getElementById('later'), { threadId: '${threadId}' }), 0);</script>` +
        `</body></html>`,
    );

    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${hostSite.url}/article`);
    await page.waitForFunction(() => document.querySelectorAll('#now .tl-comment, #later .tl-comment').length === 2, undefined, {
      timeout: 10_000,
    });
    expect(await page.locator('#now .tl-body').allTextContents()).toEqual(['First!']);
    expect(await page.locator('#later .tl-body').allTextContents()).toEqual(['First!']);
    // The composer comes once the thread is live, a moment after the comments show.
    await page.waitForSelector('#now .tl-input');
    expect(await page.locator('#later .tl-input').count(), 'no composer without a token').toBe(0);

    // The composer posts to Threadline too, and both widgets see it live.
    await page.fill('#now .tl-input', 'Posted from the article page');
    await page.click('#now .tl-send');
    await page.waitForFunction(() => document.querySelectorAll('#now .tl-comment, #later .tl-comment').length === 4);
    expect(await page.locator('#later .tl-body').allTextContents()).toEqual(['First!', 'Posted from the article page']);

    // Nothing asked the host site for Threadline's API or socket.
    expect(hostSite.requested.filter((path) => path !== '/article' && path !== '/favicon.ico')).toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('offers anonymous readers "Sign in to comment", lets the host handle the request, and signs in by setToken without a reload', async () => {
    const threadId = 'widget-signin';
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Anyone?' })
      .expect(201);
    hostSite.pages.set(
      '/signin',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><div id="c"></div>` +
        `<script src="${server.url}/widget.js"></script>` +
        `<script>window.loginRequests = []; window.loaded = 1;` +
        `document.addEventListener('threadline:login-request', (e) => { e.preventDefault(); window.loginRequests.push(e.detail); });` +
        `Threadline.mount(document.getElementById('c'), { threadId: '${threadId}', loginUrl: '/login' }).then((h) => (window.widget = h));</script>` +
        `</body></html>`,
    );

    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${hostSite.url}/signin`);
    await page.waitForFunction(() => (window as unknown as { widget?: unknown }).widget !== undefined, undefined, { timeout: 10_000 });
    expect(await page.locator('.tl-input').count(), 'no composer for an anonymous reader').toBe(0);
    expect(await page.locator('.tl-signin').count(), 'a "Sign in to comment" button for an anonymous reader').toBe(1);
    expect(await page.locator('.tl-signin').textContent(), 'a "Sign in to comment" button').toBe('Sign in to comment');

    await page.click('.tl-signin');
    expect(
      await page.evaluate(() => (window as unknown as { loginRequests: unknown[] }).loginRequests),
      'one login request event, handled by the host',
    ).toEqual([{ threadId }]);
    expect(page.url(), 'a prevented request does not navigate to loginUrl').toBe(`${hostSite.url}/signin`);

    await page.evaluate(
      (token) => (window as unknown as { widget: { setToken(t: string): Promise<void> } }).widget.setToken(token),
      alice.token,
    );
    await page.waitForSelector('.tl-input', { timeout: 10_000 });
    expect(await page.locator('.tl-signin').count(), 'the sign-in button goes once signed in').toBe(0);
    await page.fill('.tl-input', 'Signed in without a reload');
    await page.click('.tl-send');
    await page.waitForFunction(() => document.querySelectorAll('.tl-comment').length === 2, undefined, { timeout: 10_000 });
    expect(await page.locator('.tl-body').allTextContents()).toEqual(['Anyone?', 'Signed in without a reload']);
    expect(await page.evaluate(() => (window as unknown as { loaded: number }).loaded), 'the page was not reloaded').toBe(1);
    expect(
      hostSite.requested.filter((path) => path === '/login'),
      'never sent to loginUrl',
    ).toEqual([]);
    expect(errors).toEqual([]);

    // Unprevented, the request goes to loginUrl with the page to come back to.
    const anon = await browser.newPage();
    hostSite.pages.set('/plain', hostSite.pages.get('/signin')!.replace('e.preventDefault(); ', ''));
    await anon.goto(`${hostSite.url}/plain`);
    await anon.waitForSelector('.tl-signin', { timeout: 10_000 });
    const [login] = await Promise.all([anon.waitForRequest(/\/login\?/), anon.click('.tl-signin')]);
    expect(new URL(login.url()).searchParams.get('return'), 'loginUrl gets the page to return to').toBe(`${hostSite.url}/plain`);
    await anon.close();
    await page.close();
  }, 30_000);

  it('shows the thread and the composer once a first load that failed is retried', async () => {
    const threadId = 'widget-retry';
    await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set('Authorization', `Bearer ${bob.token}`)
      .send({ body: 'Survived a hiccup' })
      .expect(201);

    const page = await browser.newPage();
    const errors = watchErrors(page);
    // The first page load fails as if the network dropped; the retry waits until released.
    let loads = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname === `/api/threads/${threadId}/comments`,
      async (route) => {
        if (++loads === 1) return route.abort('connectionrefused');
        await released;
        return route.continue();
      },
    );
    await page.goto(`${server.url}/demo/${threadId}#token=${alice.token}`);
    await page.waitForFunction(() => (document.querySelector('.tl-status')?.textContent ?? '') !== '', undefined, { timeout: 10_000 });
    expect(await page.locator('.tl-status').textContent()).toMatch(/retrying/i);

    release();
    await page.waitForSelector('.tl-comment', { timeout: 10_000 });
    expect(await page.locator('.tl-body').allTextContents()).toEqual(['Survived a hiccup']);
    await page.waitForSelector('.tl-input');
    await page.waitForFunction(() => document.querySelector('.tl-status')?.textContent === '');
    expect(loads).toBe(2);
    expect(errors).toEqual([]);
  }, 30_000);
});
