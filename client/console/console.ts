/**
 * The moderation console: the site's queues and a live feed of everything
 * posted, with one-keystroke actions (j/k to move, a approve, r reject,
 * f feature, c claim). It talks to the /moderation namespace for the feed and
 * actions and to /api/moderation for queue pages. Every piece of user text is
 * put on the page with textContent, never as HTML.
 *
 * Like the widget it imports only the contract's types, so zod stays out of
 * the browser bundle. Its parts, each a small file here: layout, tabs,
 * queue-list, queue-loader, mod-actions (socket requests), keyboard, feed
 * (pausable; its lines open into details.ts), item-context (an item's article,
 * parent and author history, all from the server), titles (article titles for
 * the feed), time, connection (socket state), sharing one ConsoleState (state.ts).
 */
import type { QueueName } from '../../contract/index.ts';
import { RestClient } from '../sdk/rest.ts';
import { watchConnection } from './connection.ts';
import { liveFeed } from './feed.ts';
import { keyHandler } from './keyboard.ts';
import { messenger, mountLayout } from './layout.ts';
import { connectModeration } from '../sdk/moderation.ts';
import { moderationActions } from './mod-actions.ts';
import { queueLoader } from './queue-loader.ts';
import { renderQueue, type ItemHandlers } from './queue-list.ts';
import { initialState } from './state.ts';
import { renderTabs } from './tabs.ts';
import { keepTimesFresh } from './time.ts';
import { threadTitles } from './titles.ts';

const TEXT = {
  title: 'Moderation',
  signedInAs: (name: string, handle: string, role: string) => `Signed in as ${name} (@${handle}, ${role})`,
} as const;

export interface ConsoleOptions {
  /** Threadline's URL. */
  url: string;
  /** A moderator's or admin's JWT. */
  token: string;
}

/** Mounts the console into `root`; returns a function that unmounts it. */
export function mountConsole(root: HTMLElement, opts: ConsoleOptions): () => void {
  const ui = mountLayout(root);
  const say = messenger(ui.message);
  const base = opts.url.replace(/\/$/, '');
  const socket = connectModeration({ url: base, token: opts.token });
  const rest = new RestClient({ baseUrl: base, token: () => opts.token });
  const state = initialState();

  const choose = (name: QueueName) => {
    state.current = name;
    state.selected = undefined;
    redrawTabs();
    void queue.load();
  };
  const redrawTabs = () => renderTabs(ui.tabs, state, choose);
  const redrawQueue = () => {
    for (const item of state.items) titles.learn(item.thread.id, item.thread.title);
    renderQueue(ui.queueList, state, handlers);
  };
  const queue = queueLoader(rest, state, () => (redrawTabs(), redrawQueue()), say);
  const mod = moderationActions(socket, say, () => queue.refreshSoon());
  const handlers: ItemHandlers = { ...mod, select: (id) => ((state.selected = id), redrawQueue()) };
  const titles = threadTitles(rest);
  const feed = liveFeed({ list: ui.feed, pause: ui.feedPause, status: ui.feedStatus }, titles, rest, mod);
  const stopTimes = keepTimesFresh(root);
  const onKey = keyHandler({ ...mod, state, list: ui.queueList, redraw: redrawQueue, say });
  document.addEventListener('keydown', onKey);

  const subscribe = () => {
    socket.emit('mod:subscribe', state.threadFilter ? { threadIds: [state.threadFilter] } : {}, (res) => {
      if (!res.ok) say(`filter: ${res.error.message}`, true);
    });
    void queue.load();
  };
  watchConnection(socket, ui, say, subscribe);
  ui.filter.addEventListener('submit', (e) => {
    e.preventDefault();
    state.threadFilter = ui.threadInput.value.trim();
    feed.clear();
    state.selected = undefined;
    say(state.threadFilter ? `Showing thread ${state.threadFilter} only` : 'Showing every thread');
    subscribe();
  });
  socket.on('mod:event', (e) => {
    // Live counts are site-wide; a thread's counts come with its queue page.
    if (e.type === 'queues' && !state.threadFilter) {
      state.counts = e.counts;
      redrawTabs();
    }
    if (e.type !== 'comment') queue.refreshSoon();
    feed.add(e);
  });

  socket.on('mod:session', ({ user }) => (ui.who.textContent = TEXT.signedInAs(user.name, user.handle, user.role)));
  ui.who.textContent = TEXT.title;
  redrawTabs();
  return () => {
    document.removeEventListener('keydown', onKey);
    queue.stop();
    stopTimes();
    socket.disconnect();
  };
}
