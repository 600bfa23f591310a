import escapeHtml from 'escape-html';
import type { ThreadRef } from '../../contract/index.ts';
import { excerpt } from '../../contract/text.ts';
import type { StoredNotification } from '../../server/store/notifications.ts';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const EXCERPT_CHARS = 500;

const threadName = (t: ThreadRef) => t.title ?? t.id;

/** Only visible comments are rendered, but the author is read defensively: tombstones carry none. */
const authorOf = (n: StoredNotification) => ({ name: n.comment.author?.name ?? 'Someone', handle: n.comment.author?.handle ?? '' });

/** Where a notification points: the article, at the comment. Only http(s) thread URLs are ever stored. */
function commentLink(n: Pick<StoredNotification, 'thread' | 'comment'>): string | null {
  return n.thread.url ? `${n.thread.url}#comment-${encodeURIComponent(n.comment.id)}` : null;
}

function subjectLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').slice(0, 200);
}

/**
 * Plain text and HTML versions of one notification. User text (names, titles,
 * the comment) is escaped for HTML and never interpreted: a comment holding
 * `<script>` arrives as the characters `<script>`.
 */
export function renderNotificationEmail(n: StoredNotification): RenderedEmail {
  const author = authorOf(n);
  const who = author.handle ? `${author.name} (@${author.handle})` : author.name;
  const what = n.kind === 'reply' ? 'replied to your comment' : 'mentioned you';
  const where = threadName(n.thread);
  const link = commentLink(n);
  const body = excerpt(n.comment.body, EXCERPT_CHARS);
  const text = [
    `${who} ${what} in "${where}":`,
    '',
    ...body.split('\n').map((l) => `> ${l}`),
    '',
    link ? `Read and reply: ${link}` : 'Open the article to read and reply.',
    '',
    'You get this email because of your notification preferences on this site.',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p><strong>${escapeHtml(who)}</strong> ${what} in <em>${escapeHtml(where)}</em>:</p>`,
    `<blockquote style="white-space:pre-wrap;border-left:3px solid #ccc;margin:0;padding-left:12px">${escapeHtml(body)}</blockquote>`,
    link ? `<p><a href="${escapeHtml(link)}">Read and reply</a></p>` : '<p>Open the article to read and reply.</p>',
    '<p style="color:#777;font-size:12px">You get this email because of your notification preferences on this site.</p>',
    '</body></html>',
  ].join('\n');
  return { subject: subjectLine(`${author.name} ${what} in "${where}"`), text, html };
}

/** The digest for what was held back during a window. */
export function renderDigestEmail(summary: string, items: StoredNotification[]): RenderedEmail {
  const lines = items.slice(0, 20).map((n) => {
    const link = commentLink(n);
    const what = n.kind === 'reply' ? 'replied to you' : 'mentioned you';
    return { text: `- ${authorOf(n).name} ${what} in "${threadName(n.thread)}"${link ? `: ${link}` : ''}`, n, link, what };
  });
  const more = items.length > lines.length ? `…and ${items.length - lines.length} more.` : '';
  const text = [
    `${summary}:`,
    '',
    ...lines.map((l) => l.text),
    more,
    '',
    'You get this email because of your notification preferences on this site.',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(summary)}:</p><ul>`,
    ...lines.map(
      (l) =>
        `<li>${escapeHtml(authorOf(l.n).name)} ${l.what} in ${
          l.link
            ? `<a href="${escapeHtml(l.link)}">${escapeHtml(threadName(l.n.thread))}</a>`
            : `<em>${escapeHtml(threadName(l.n.thread))}</em>`
        }: “${escapeHtml(excerpt(l.n.comment.body, EXCERPT_CHARS).slice(0, 140))}”</li>`,
    ),
    `</ul>${more ? `<p>${escapeHtml(more)}</p>` : ''}`,
    '<p style="color:#777;font-size:12px">You get this email because of your notification preferences on this site.</p>',
    '</body></html>',
  ].join('\n');
  return { subject: subjectLine(summary), text, html };
}
