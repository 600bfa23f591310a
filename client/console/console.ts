/**
 * The moderation console: the site's queues and a live feed of everything
 * posted, with one-keystroke actions (j/k to move, a approve, r reject,
 * f feature, c claim). It talks to the /moderation namespace for the feed and
 * actions and to /api/moderation for queue pages. Every piece of user text is
 * put on the page with textContent, never as HTML.
 *
 * Like the widget it imports only the contract's types, so zod stays out of
 * the browser bundle.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AuthoredComment,
  CommentAction,
  ErrorBody,
  MODERATION_NAMESPACE,
  ModClientToServerEvents,
  ModEvent,
  ModServerToClientEvents,
  QueueItem,
  QueueName,
} from '../../contract/index.ts';
import { button, el } from '../dom.ts';
import { RestClient } from '../sdk/rest.ts';
import { excerpt } from '../text.ts';

const NAMESPACE: typeof MODERATION_NAMESPACE = '/moderation';
/** Every queue, in tab order (a Record, so a queue added to the contract cannot be missing here). */
const QUEUE_LABELS: Record<QueueName, string> = { pending: 'Pending', reported: 'Reported', flagged: 'Flagged', rejected: 'Rejected' };
const FEED_MAX = 100;
const KEYS: Record<string, CommentAction | 'claim' | 'ban'> = { a: 'approve', r: 'reject', f: 'feature', c: 'claim', b: 'ban' };
const BAN_SECONDS = 86_400;

type ModSocket = Socket<ModServerToClientEvents, ModClientToServerEvents>;

export interface ConsoleOptions {
  /** Threadline's URL. */
  url: string;
  /** A moderator's or admin's JWT. */
  token: string;
}

const STYLE = `
.tc { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 60rem }
.tc-top { display: flex; justify-content: space-between; color: #555; margin-bottom: .6rem }
.tc-tabs button { font: inherit; margin-right: .4rem; padding: .2rem .7rem; border: 1px solid #ccc; border-radius: 4px; background: #fff; cursor: pointer }
.tc-tabs .tc-current { background: #222; color: #fff; border-color: #222 }
.tc-filter { margin-bottom: .5rem } .tc-filter input { font: inherit; width: 18rem; margin-right: .4rem }
.tc-help, .tc-message { color: #666; font-size: 12px; margin: .4rem 0; min-height: 1.2em }
.tc-message.tc-bad { color: #b00020 }
.tc-queue, .tc-feed { list-style: none; margin: 0; padding: 0 }
.tc-item { border: 1px solid #e3e3e3; border-radius: 4px; padding: .5rem .7rem; margin-bottom: .4rem }
.tc-item.tc-selected { border-color: #0b57d0; box-shadow: 0 0 0 1px #0b57d0 }
.tc-meta { color: #666; font-size: 12px } .tc-author { color: #222; font-weight: 600; margin-right: .4rem }
.tc-body { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 }
.tc-reasons { color: #8a5a00; font-size: 12px } .tc-claim { color: #0b57d0; font-size: 12px }
.tc-actions button { font: inherit; font-size: 12px; margin-right: .4rem; cursor: pointer }
.tc-feed li { border-top: 1px solid #eee; padding: .3rem 0; font-size: 13px }
.tc-feed .tc-kind { font-weight: 600; margin-right: .4rem }
`;

/** Mounts the console into `root`; returns a function that unmounts it. */
export function mountConsole(root: HTMLElement, opts: ConsoleOptions): () => void {
  const style = el('style', '');
  style.textContent = STYLE;
  const box = el('section', 'tc');
  const who = el('span', 'tc-who', 'Connecting…');
  const connection = el('span', 'tc-connection', '');
  const top = el('div', 'tc-top');
  top.append(who, connection);
  const tabs = el('nav', 'tc-tabs');
  const help = el('div', 'tc-help', 'j / k: next / previous · a: approve · r: reject · f: feature · c: claim · b b: ban the author for 24 h');
  const message = el('div', 'tc-message');
  const queueList = el('ol', 'tc-queue');
  const feedTitle = el('h2', 'tc-feed-title', 'Live feed');
  feedTitle.style.font = '600 15px system-ui';
  const feed = el('ol', 'tc-feed');
  // One thread only, or (empty) the whole site: narrows the queues and the live feed alike.
  const filter = el('form', 'tc-filter');
  const threadInput = el('input', 'tc-thread');
  threadInput.placeholder = 'All threads (or a thread id)';
  threadInput.setAttribute('aria-label', 'Thread filter');
  const apply = el('button', 'tc-thread-apply', 'Filter');
  apply.type = 'submit';
  filter.append(threadInput, apply);
  box.append(top, filter, tabs, help, message, queueList, feedTitle, feed);
  root.replaceChildren(style, box);

  const base = opts.url.replace(/\/$/, '');
  const socket: ModSocket = io(`${base}${NAMESPACE}`, { transports: ['websocket'], auth: { token: opts.token } });
  // Browsers refuse a fetch called as a method of another object ("Illegal invocation").
  const rest = new RestClient({ baseUrl: base, token: () => opts.token, fetch: globalThis.fetch.bind(globalThis) });

  let current: QueueName = 'pending';
  let items: QueueItem[] = [];
  let selected: string | undefined;
  let counts: Partial<Record<QueueName, number>> = {};
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let loading = 0;
  let threadFilter = '';

  const say = (text: string, bad = false) => {
    message.textContent = text;
    message.classList.toggle('tc-bad', bad);
  };

  const renderTabs = () => {
    tabs.replaceChildren(
      ...(Object.entries(QUEUE_LABELS) as [QueueName, string][]).map(([name, label]) => {
        const n = counts[name];
        const tab = button(`tc-tab${name === current ? ' tc-current' : ''}`, n === undefined ? label : `${label} (${n})`, () => {
          current = name;
          selected = undefined;
          renderTabs();
          void loadQueue();
        });
        tab.dataset.queue = name;
        return tab;
      }),
    );
  };

  const renderQueue = () => {
    if (!items.some((i) => i.comment.id === selected)) selected = items[0]?.comment.id;
    queueList.replaceChildren(
      ...(items.length === 0 ? [el('li', 'tc-empty', 'Nothing here.')] : items.map((item) => renderItem(item))),
    );
  };

  const renderItem = (item: QueueItem): HTMLLIElement => {
    const c = item.comment;
    const li = el('li', `tc-item${c.id === selected ? ' tc-selected' : ''}`);
    li.dataset.commentId = c.id;
    li.addEventListener('click', () => {
      selected = c.id;
      renderQueue();
    });
    const meta = el('div', 'tc-meta');
    meta.append(el('span', 'tc-author', `${c.author.name} @${c.author.handle}`), `in ${c.threadId} · ${new Date(c.createdAt).toLocaleString()} · ${c.status}`);
    li.append(meta, el('div', 'tc-body', c.body));
    const reasons = item.moderation?.reasons ?? [];
    if (reasons.length > 0) li.append(el('div', 'tc-reasons', reasons.map((r) => `${r.rule}: ${r.detail}`).join(' · ')));
    if (item.reports.count > 0) {
      const why = Object.entries(item.reports.reasons).map(([reason, n]) => `${reason} ×${n}`).join(', ');
      li.append(el('div', 'tc-reasons', `${item.reports.count} report${item.reports.count === 1 ? '' : 's'}: ${why}`));
    }
    if (item.claim) li.append(el('div', 'tc-claim', `@${item.claim.by.handle} is handling this until ${new Date(item.claim.until).toLocaleTimeString()}`));
    const actions = el('div', 'tc-actions');
    for (const action of actionsFor(c)) actions.append(button(`tc-${action}`, action, () => void act(c.id, action)));
    actions.append(button('tc-claim-button', 'claim', () => void claim(c.id)), button('tc-ban', 'ban author', () => void ban(c)));
    li.append(actions);
    return li;
  };

  const actionsFor = (c: AuthoredComment): CommentAction[] => {
    if (c.status === 'pending') return ['approve', 'reject'];
    if (c.status === 'removed') return ['restore'];
    return c.featured ? ['unfeature', 'reject'] : ['feature', 'reject'];
  };

  const loadQueue = async () => {
    const mine = ++loading;
    try {
      const page = await rest.queue(current, { limit: 50, ...(threadFilter ? { threadId: threadFilter } : {}) });
      if (mine !== loading) return; // a newer load is on its way
      items = page.items;
      counts = page.counts;
      renderTabs();
      renderQueue();
    } catch (err) {
      if (mine === loading) say(`Could not load the queue: ${err instanceof Error ? err.message : String(err)}`, true);
    }
  };

  /** Queues change under everyone's hands: reload shortly after anything that could have moved them. */
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void loadQueue(), 150);
  };

  const request = async <E extends 'mod:action' | 'mod:claim' | 'mod:ban'>(event: E, payload: Parameters<ModClientToServerEvents[E]>[0]) => {
    const withTimeout = socket.timeout(10_000) as unknown as { emitWithAck(e: E, p: typeof payload): Promise<Ack<Record<string, unknown>>> };
    try {
      return await withTimeout.emitWithAck(event, payload);
    } catch {
      return { ok: false as const, error: { code: 'unavailable' as const, message: 'No answer from the server in time' } };
    }
  };

  const act = async (commentId: string, action: CommentAction) => {
    const res = await request('mod:action', { commentId, action });
    if (res.ok) say(`${action}: done`);
    else say(`${action}: ${res.error.message}`, true);
    refreshSoon();
  };

  // A ban is heavy: the first press (or click) asks, a second on the same author within 5 s bans.
  let banArmed: { userId: string; until: number } | undefined;
  const ban = async (c: AuthoredComment) => {
    if (!banArmed || banArmed.userId !== c.author.id || banArmed.until < Date.now()) {
      banArmed = { userId: c.author.id, until: Date.now() + 5_000 };
      return say(`Press b again (or click ban again) to ban @${c.author.handle} for 24 hours`);
    }
    banArmed = undefined;
    const res = await request('mod:ban', { userId: c.author.id, durationSeconds: BAN_SECONDS, reason: `from the console, on ${c.id}` });
    say(res.ok ? `@${c.author.handle} is banned for 24 hours` : `ban: ${res.error.message}`, !res.ok);
    refreshSoon();
  };

  const claim = async (commentId: string) => {
    const res = await request('mod:claim', { commentId });
    say(res.ok ? 'Claimed for two minutes' : `claim: ${res.error.message}`, !res.ok);
    refreshSoon();
  };

  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey || (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const at = items.findIndex((i) => i.comment.id === selected);
    if (e.key === 'j' || e.key === 'k') {
      const next = items[Math.min(items.length - 1, Math.max(0, at + (e.key === 'j' ? 1 : -1)))];
      if (next) selected = next.comment.id;
      renderQueue();
      queueList.querySelector('.tc-selected')?.scrollIntoView({ block: 'nearest' });
      return;
    }
    const wanted = KEYS[e.key];
    const item = items[at];
    if (!wanted || !item) return;
    e.preventDefault();
    if (wanted === 'claim') void claim(item.comment.id);
    else if (wanted === 'ban') void ban(item.comment);
    else if (actionsFor(item.comment).includes(wanted)) void act(item.comment.id, wanted);
    else say(`${wanted} does not apply to a ${item.comment.status} comment`, true);
  };
  document.addEventListener('keydown', onKey);

  const describe = (e: ModEvent): [string, string] | undefined => {
    const summary = (c: AuthoredComment) => `${c.author.name} in ${c.threadId}: ${excerpt(c.body, 140)}`;
    switch (e.type) {
      case 'comment': {
        const verdict = e.moderation ? ` [${e.moderation.status}: ${e.moderation.reasons.map((r) => r.detail).join(', ')}]` : '';
        return [e.change === 'created' ? 'New' : 'Edited', summary(e.comment) + verdict];
      }
      case 'hold':
        return ['Held', `${summary(e.comment)} [${e.moderation.reasons.map((r) => `${r.rule}: ${r.detail}`).join(', ')}]`];
      case 'report':
        return ['Reported', `${e.reason} by ${e.reporter.name} (${e.reports} in all): ${summary(e.comment)}`];
      case 'action': {
        const by = e.entry.by.kind === 'user' ? `@${e.entry.by.handle}` : e.entry.by.name;
        const what = e.entry.target.commentId ?? e.entry.target.threadId ?? e.entry.target.userId ?? '';
        return ['Action', `${by} ${e.entry.action} ${what}${e.comment ? ` (${summary(e.comment)})` : ''}`];
      }
      case 'claim':
        return ['Claim', e.by ? `@${e.by.handle} is handling ${e.commentId}` : `${e.commentId} released`];
      case 'queues':
        return undefined;
    }
  };

  socket.on('connect', () => {
    connection.textContent = 'live';
    subscribe();
  });
  const subscribe = () => {
    socket.emit('mod:subscribe', threadFilter ? { threadIds: [threadFilter] } : {}, (res) => {
      if (!res.ok) say(`filter: ${res.error.message}`, true);
    });
    void loadQueue();
  };
  filter.addEventListener('submit', (e) => {
    e.preventDefault();
    threadFilter = threadInput.value.trim();
    feed.replaceChildren();
    selected = undefined;
    say(threadFilter ? `Showing thread ${threadFilter} only` : 'Showing every thread');
    subscribe();
  });
  // The server closing the socket (a ban, a flood) is final; anything else reconnects by itself.
  socket.on('disconnect', (reason) => (connection.textContent = reason === 'io server disconnect' ? 'not connected' : 'reconnecting…'));
  socket.on('connect_error', (err: Error & { data?: ErrorBody }) => {
    connection.textContent = 'not connected';
    // Refusals (not a moderator, expired token) will not fix themselves.
    if (err.data?.code === 'forbidden' || err.data?.code === 'unauthenticated') {
      who.textContent = err.data.message;
      say(err.data.message, true);
      socket.disconnect();
    }
  });
  socket.on('auth:expired', ({ reason }) => say(`${reason}; open the console with a new token`, true));
  socket.on('account:banned', ({ until, reason }) => {
    say(`You were banned ${until ? `until ${until}` : 'for good'}${reason ? `: ${reason}` : ''}; the server closed the console`, true);
  });
  socket.on('connection:closing', ({ reason }) => say(reason, true));
  socket.on('mod:event', (e) => {
    // Live counts are site-wide; a thread's counts come with its queue page.
    if (e.type === 'queues' && !threadFilter) {
      counts = e.counts;
      renderTabs();
    }
    if (e.type !== 'comment') refreshSoon();
    const line = describe(e);
    if (!line) return;
    const li = el('li', `tc-event tc-event-${e.type}`);
    li.append(el('span', 'tc-kind', line[0]), line[1]);
    feed.prepend(li);
    while (feed.children.length > FEED_MAX) feed.lastElementChild!.remove();
  });

  who.textContent = 'Moderation';
  renderTabs();
  return () => {
    document.removeEventListener('keydown', onKey);
    clearTimeout(refreshTimer);
    socket.disconnect();
  };
}
