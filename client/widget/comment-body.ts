import { find } from 'linkifyjs';
import type { Comment } from '../../contract/index.ts';
import { MENTION_PATTERN } from '../../contract/mentions.ts';
import { el } from '../dom.ts';

// Only schemes that open a page: javascript:, data:, mailto: and the rest stay text.
const WEB = new Set(['http:', 'https:']);

interface Piece {
  start: number;
  end: number;
  node: () => Node;
}

/**
 * The body as DOM nodes built one by one, never parsed as HTML: text nodes,
 * http(s) links found by linkifyjs (a kept tokenizer: URLs with brackets,
 * punctuation and IDNs are easy to get wrong by regex), and the server's
 * mentions (never the client's guess) in spans. An `@name` inside a URL is
 * part of the link, not a mention.
 */
export function renderBody(c: Comment): HTMLDivElement {
  const body = el('div', 'tl-body');
  const pieces: Piece[] = [];
  // Bare `www.` hosts get https: a click is not sent in clear, and hardly any site still lacks TLS.
  for (const link of find(c.body, 'url', { defaultProtocol: 'https' })) {
    const href = safeHref(link.href);
    if (href) pieces.push({ start: link.start, end: link.end, node: () => anchor(href, link.value) });
  }
  const handles = new Set(c.mentions.map((m) => m.handle.toLowerCase()));
  if (handles.size > 0) {
    // Matched over the whole body, not between links, so the pattern's look-behind sees the real neighbours.
    for (const match of c.body.matchAll(MENTION_PATTERN)) {
      const start = match.index;
      const end = start + match[0].length;
      if (!handles.has(match[1]!.toLowerCase()) || pieces.some((p) => p.start < end && start < p.end)) continue;
      pieces.push({ start, end, node: () => el('span', 'tl-mention', match[0]) });
    }
  }
  pieces.sort((a, b) => a.start - b.start);
  let last = 0;
  for (const p of pieces) {
    if (p.start > last) body.append(document.createTextNode(c.body.slice(last, p.start)));
    body.append(p.node());
    last = p.end;
  }
  if (last < c.body.length) body.append(document.createTextNode(c.body.slice(last)));
  return body;
}

function safeHref(href: string): string | undefined {
  try {
    const url = new URL(href);
    return WEB.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function anchor(href: string, text: string): HTMLAnchorElement {
  const a = el('a', 'tl-link', text);
  a.href = href;
  // nofollow ugc: readers' links earn no ranking (spam); noopener: the new tab cannot reach back into the article page.
  a.rel = 'nofollow ugc noopener';
  a.target = '_blank';
  return a;
}
