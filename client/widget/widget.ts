/**
 * The embeddable comment widget: a thread's comments, live, with a composer
 * for signed-in readers. Built on the SDK; every piece of user text is put on
 * the page with textContent, never as HTML.
 *
 *   <div id="comments"></div>
 *   <script src="https://comments.example.com/widget.js"></script>
 *   <script>Threadline.mount(document.getElementById('comments'), { threadId: 'korea-summit', token })</script>
 *
 * Its parts, each a small file here: frame (the fixed layout: heading, sort,
 * "N new comments" bar), comment-list (patched by comment id; sort orders;
 * holding comments that arrive above the reader) and comment-item (with
 * comment-body, action-bar, editor, reply-composer, report-form), bell
 * (notifications), older (older pages), live (the thread's events),
 * connection (live / reconnecting / offline), composer (with
 * mention-suggest), time (relative comment times, kept fresh).
 */
import type { Thread } from '../../contract/index.ts';
import { connect, isRetryable, ThreadlineError, type ThreadHandlers, type ThreadlineClient, type ThreadView } from '../sdk/index.ts';
import { button } from '../dom.ts';
import { commentActions } from './actions.ts';
import { createBell } from './bell.ts';
import { CommentList, type SortOrder } from './comment-list.ts';
import { connectionIndicator } from './connection.ts';
import { mountComposer } from './composer.ts';
import { failure } from './failure.ts';
import { countText, mountFrame, newCommentsText, type Frame } from './frame.ts';
import { liveHandlers } from './live.ts';
import { olderButton } from './older.ts';
import { keepTimesFresh } from './time.ts';
import { followCommentLinks } from './permalink.ts';

export interface MountOptions {
  threadId: string;
  /** The reader's JWT from the host site; omit for read-only. */
  token?: string;
  /** Threadline's URL; defaults to where widget.js was loaded from (entry.ts records it). */
  url?: string;
  /** The order comments start in (the reader can change it); default oldest first. */
  sort?: SortOrder;
  /** Where "Sign in to comment" sends an anonymous reader (with `?return=<this page>`) unless the host handles `threadline:login-request`. */
  loginUrl?: string;
}

/** What the reader chose in the widget, kept across a remount (setToken). */
interface Prefs {
  sort: SortOrder;
}

/** What `mount` hands the host page. */
export interface WidgetHandle {
  /** The current connection; replaced by setToken. */
  readonly client: ThreadlineClient;
  /** Signs the reader in (or switches reader) without a reload: reconnects with `token` and shows the composer and bell. */
  setToken(token: string): Promise<void>;
  /** Unmounts: closes the connection. */
  close(): void;
}

/**
 * Mounts the widget and returns a handle. A new token rebuilds the widget on
 * a fresh connection: the token is fixed per connection (the server checks it
 * at the handshake), and re-joining also reloads what this reader may see.
 */
export async function mountWidget(root: HTMLElement, opts: MountOptions & { url: string }): Promise<WidgetHandle> {
  // The reader's choices outlive a sign-in (a new mount).
  const prefs: Prefs = { sort: opts.sort ?? 'oldest' };
  let client = await mount(root, opts, prefs);
  return {
    get client() {
      return client;
    },
    async setToken(token: string) {
      client.close();
      client = await mount(root, { ...opts, token }, prefs);
    },
    close: () => client.close(),
  };
}

/**
 * Asks the host page to sign the reader in: a cancelable `threadline:login-request`
 * event on the widget's root; if no handler prevents it, goes to `loginUrl`.
 */
function signInButton(root: HTMLElement, opts: MountOptions): HTMLButtonElement {
  return button('tl-signin', 'Sign in to comment', () => {
    const event = new CustomEvent('threadline:login-request', {
      bubbles: true,
      composed: true,
      cancelable: true,
      detail: { threadId: opts.threadId },
    });
    if (!root.dispatchEvent(event) || !opts.loginUrl) return;
    const target = new URL(opts.loginUrl, location.href);
    target.searchParams.set('return', location.href);
    location.assign(target.href);
  });
}

/**
 * Joins the thread. A first load that fails for a reason that passes is left
 * to the client's own retries; any other failure is shown, closes the client
 * and rejects.
 */
async function join(client: ThreadlineClient, threadId: string, handlers: ThreadHandlers, frame: Frame): Promise<ThreadView> {
  try {
    return await client.joinThread(threadId, handlers);
  } catch (err) {
    if (!(err instanceof ThreadlineError) || !isRetryable(err.code)) {
      frame.status.textContent = `Could not load the comments: ${failure(err, String(err))}`;
      client.close();
      throw err;
    }
    // The client keeps this view and retries it by itself; joining again hands it over.
    return await client.joinThread(threadId, handlers);
  }
}

/** The thread's title in the heading (unless the host slotted its own); none while the thread has none. */
function titleOf(frame: Frame, thread: Thread | undefined): void {
  if (!frame.title) return;
  frame.title.textContent = thread?.title ?? '';
  frame.title.hidden = !thread?.title;
}

function showHeld(frame: Frame, held: number): void {
  frame.newBar.hidden = held === 0;
  if (held > 0) frame.newBar.textContent = newCommentsText(held);
}

/** The "N new comments" bar reveals the held comments and scrolls to them; the sort select re-orders the list. */
function wireListControls(frame: Frame, list: CommentList, prefs: Prefs, view: () => ThreadView | undefined): void {
  list.order = prefs.sort;
  frame.newBar.addEventListener('click', () => {
    const comments = view()?.comments;
    const first = comments && list.reveal(comments);
    if (!first) return;
    // Focus follows the reader there (for keyboard and screen-reader users), without a second jump.
    first.tabIndex = -1;
    first.focus({ preventScroll: true });
    first.scrollIntoView({ block: 'start' });
  });
  frame.sort.addEventListener('change', () => {
    prefs.sort = frame.sort.value as SortOrder;
    list.order = prefs.sort;
    // A new order has no "above the reader" to protect: show everything.
    const comments = view()?.comments;
    if (comments) list.reveal(comments);
  });
}

/**
 * Mounts the widget into `root`; returns the client (close it to unmount).
 * If the first load fails for a reason that passes (network, server busy),
 * the widget says so and shows the thread once a retry succeeds; any other
 * failure is shown in the widget, closes the client and rejects.
 */
async function mount(root: HTMLElement, opts: MountOptions & { url: string }, prefs: Prefs): Promise<ThreadlineClient> {
  const frame = mountFrame(root, prefs.sort);
  const say = (text: string) => void (frame.status.textContent = text);
  const bell = createBell(() => client, say);
  const connection = connectionIndicator(frame.connection);
  const client = connect({
    url: opts.url,
    onConnectionChange: (up) => connection.socket(up),
    ...(opts.token ? { token: opts.token, onUnread: (n: number) => bell.showUnread(n) } : {}),
  });
  if (opts.token) {
    frame.head.append(bell.button);
    frame.box.insertBefore(bell.inbox, frame.status);
    bell.inbox.hidden = true;
  }
  // Assigned once the join resolves; the handlers made before it read it through this binding.
  // eslint-disable-next-line prefer-const -- a const cannot be declared before its value exists
  let view: ThreadView | undefined;
  const comment = (id: string) => frame.list.querySelector<HTMLElement>(`.tl-comment[data-comment-id="${CSS.escape(id)}"]`);
  const actions = commentActions(client, opts.threadId, Boolean(opts.token), {
    redraw: (id) => {
      list.invalidate(id);
      draw();
    },
    focusReplyButton: (id) => comment(id)?.querySelector<HTMLButtonElement>('.tl-reply-to')?.focus(),
    focusReplyInput: (id) => comment(id)?.querySelector<HTMLTextAreaElement>('.tl-reply-input')?.focus(),
  });
  const list = new CommentList(frame.list, actions, (held) => showHeld(frame, held));
  const draw = (comments = view?.comments, arrived = false) => {
    if (!comments) return;
    list.render(comments, arrived);
    frame.count.textContent = countText(view?.commentCount);
    older.hidden = !view?.hasMore;
  };
  wireListControls(frame, list, prefs, () => view);
  const older = olderButton(() => view, draw, say);
  frame.box.insertBefore(older, frame.list);
  keepTimesFresh(frame.list);
  view = await join(
    client,
    opts.threadId,
    liveHandlers(
      frame,
      { reset: (comments) => draw(comments), changed: (arrived) => draw(undefined, arrived), thread: (t) => titleOf(frame, t) },
      connection,
    ),
    frame,
  );
  titleOf(frame, view.thread);
  draw();
  if (opts.token) {
    mountComposer(frame.box, client, opts.threadId, () => draw());
    // The session (who "me" is) arrives with the connection; every comment's actions depend on it.
    list.invalidate();
    draw();
  } else {
    frame.box.append(signInButton(root, opts));
  }
  followCommentLinks(frame.list);
  return client;
}
