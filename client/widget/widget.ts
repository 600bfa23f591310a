/**
 * The embeddable comment widget: a thread's comments, live, with a composer
 * for signed-in readers. Built on the SDK; every piece of user text is put on
 * the page with textContent, never as HTML.
 *
 *   <div id="comments"></div>
 *   <script src="https://comments.example.com/widget.js"></script>
 *   <script>Threadline.mount(document.getElementById('comments'), { threadId: 'korea-summit', token })</script>
 *
 * Its parts, each a small file here: frame (the fixed layout), comment-list
 * and comment-item (with comment-body, action-bar, editor, report-form), bell
 * (notifications), older (older pages), live (the thread's events), composer
 * (with mention-suggest), time (relative comment times, kept fresh).
 */
import type { Comment } from '../../contract/index.ts';
import { connect, isRetryable, ThreadlineError, type ThreadHandlers, type ThreadlineClient, type ThreadView } from '../sdk/index.ts';
import { button } from '../dom.ts';
import { commentActions } from './actions.ts';
import { createBell } from './bell.ts';
import { renderList } from './comment-list.ts';
import { mountComposer } from './composer.ts';
import { failure } from './failure.ts';
import { countText, mountFrame, type Frame } from './frame.ts';
import { liveHandlers } from './live.ts';
import { olderButton } from './older.ts';
import { keepTimesFresh } from './time.ts';

export interface MountOptions {
  threadId: string;
  /** The reader's JWT from the host site; omit for read-only. */
  token?: string;
  /** Threadline's URL; defaults to where widget.js was loaded from (entry.ts records it). */
  url?: string;
  /** Where "Sign in to comment" sends an anonymous reader (with `?return=<this page>`) unless the host handles `threadline:login-request`. */
  loginUrl?: string;
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
  let client = await mount(root, opts);
  return {
    get client() {
      return client;
    },
    async setToken(token: string) {
      client.close();
      client = await mount(root, { ...opts, token });
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

/**
 * Mounts the widget into `root`; returns the client (close it to unmount).
 * If the first load fails for a reason that passes (network, server busy),
 * the widget says so and shows the thread once a retry succeeds; any other
 * failure is shown in the widget, closes the client and rejects.
 */
async function mount(root: HTMLElement, opts: MountOptions & { url: string }): Promise<ThreadlineClient> {
  const frame = mountFrame(root);
  const say = (text: string) => void (frame.status.textContent = text);
  const bell = createBell(() => client, say);
  const client = connect({ url: opts.url, ...(opts.token ? { token: opts.token, onUnread: (n: number) => bell.showUnread(n) } : {}) });
  if (opts.token) {
    frame.head.append(bell.button);
    frame.box.insertBefore(bell.inbox, frame.status);
    bell.inbox.hidden = true;
  }
  // Assigned once the join resolves; the handlers made before it read it through this binding.
  // eslint-disable-next-line prefer-const -- a const cannot be declared before its value exists
  let view: ThreadView | undefined;
  // The composer sets this once it exists.
  let replyTo: (c: Comment) => void = () => undefined;
  const actions = commentActions(
    client,
    Boolean(opts.token),
    (c) => replyTo(c),
    () => render(),
  );
  const render = (comments = view?.comments) => {
    if (!comments) return;
    renderList(frame.list, comments, actions);
    frame.count.textContent = countText(view?.commentCount);
    older.hidden = !view?.hasMore;
  };
  const older = olderButton(
    () => view,
    () => render(),
    say,
  );
  frame.box.insertBefore(older, frame.list);
  keepTimesFresh(frame.list);
  view = await join(client, opts.threadId, liveHandlers(frame, render), frame);
  render();
  if (opts.token) {
    replyTo = mountComposer(frame.box, client, opts.threadId, () => render());
    // The session (who "me" is) arrives with the connection; show the actions once it is known.
    render();
  } else {
    frame.box.append(signInButton(root, opts));
  }
  return client;
}
