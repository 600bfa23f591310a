import type { Comment } from '../../contract/index.ts';
import { MENTION_PATTERN } from '../../contract/mentions.ts';
import { el } from '../dom.ts';

/**
 * The body as text nodes, with the server's mentions (never the client's
 * guess) picked out in spans: still textContent only, never HTML.
 */
export function renderBody(c: Comment): HTMLDivElement {
  const body = el('div', 'tl-body');
  const handles = new Set(c.mentions.map((m) => m.handle.toLowerCase()));
  if (handles.size === 0) {
    body.textContent = c.body;
    return body;
  }
  let last = 0;
  for (const match of c.body.matchAll(MENTION_PATTERN)) {
    if (!handles.has(match[1]!.toLowerCase())) continue;
    body.append(document.createTextNode(c.body.slice(last, match.index)), el('span', 'tl-mention', match[0]));
    last = match.index + match[0].length;
  }
  body.append(document.createTextNode(c.body.slice(last)));
  return body;
}
