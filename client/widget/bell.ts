import type { Notification } from '../../contract/index.ts';
import { button, el } from '../dom.ts';
import { excerpt } from '../../contract/text.ts';
import type { ThreadlineClient } from '../sdk/index.ts';
import { failure } from './failure.ts';

/** Only web links become links; a thread URL is the host site's, but never trust a scheme. */
function safeHref(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function renderNotification(n: Notification): HTMLLIElement {
  const item = el('li', n.read ? '' : 'tl-unread');
  const what = n.kind === 'mention' ? 'mentioned you' : 'replied to you';
  const where = n.thread.title ?? n.thread.id;
  item.append(`${n.comment.author?.name ?? 'Someone'} ${what} in `);
  const href = safeHref(n.thread.url);
  if (href) item.append(Object.assign(el('a', 'tl-inbox-thread', where), { href }));
  else item.append(el('span', 'tl-inbox-thread', where));
  item.append(`: ${excerpt(n.comment.body, 80)}`);
  return item;
}

export interface Bell {
  button: HTMLButtonElement;
  inbox: HTMLOListElement;
  /** The client's onUnread: the count on the bell, or none at zero. */
  showUnread(unread: number): void;
}

/**
 * Signed-in readers get a bell with their unread count; opening it lists the
 * inbox and marks it read. `client` is late-bound: the client needs
 * showUnread before it exists.
 */
export function createBell(client: () => ThreadlineClient, say: (text: string) => void): Bell {
  const inbox = el('ol', 'tl-inbox');
  const bell = button('tl-bell', 'Notifications', () => {
    if (!inbox.hidden) return void (inbox.hidden = true);
    client()
      .notifications({ limit: 10 })
      .then(
        async (page) => {
          inbox.replaceChildren(
            ...(page.notifications.length ? page.notifications.map(renderNotification) : [el('li', '', 'Nothing yet')]),
          );
          inbox.hidden = false;
          if (page.unread > 0) await client().markRead('all');
        },
        (err: unknown) => say(failure(err, 'Could not load notifications')),
      );
  });
  const bellCount = el('span', 'tl-bell-count');
  const showUnread = (unread: number) => {
    bellCount.textContent = String(unread);
    if (unread > 0) bell.append(bellCount);
    else bellCount.remove();
  };
  return { button: bell, inbox, showUnread };
}
