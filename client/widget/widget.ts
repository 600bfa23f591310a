/**
 * The embeddable comment widget: a thread's comments, live, with a composer
 * for signed-in readers. Built on the SDK; every piece of user text is put on
 * the page with textContent, never as HTML.
 *
 *   <div id="comments"></div>
 *   <script src="https://comments.example.com/widget.js"></script>
 *   <script>Threadline.mount(document.getElementById('comments'), { threadId: 'korea-summit', token })</script>
 */
import type { Comment } from '../contract/index.ts';
import { connect, isRetryable, ThreadlineError, type ThreadHandlers, type ThreadlineClient, type ThreadView } from '../sdk/index.ts';

export interface MountOptions {
  threadId: string;
  /** The reader's JWT from the host site; omit for read-only. */
  token?: string;
  /** Threadline's URL; defaults to where widget.js was loaded from (entry.ts records it). */
  url?: string;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const STYLE = `
.tl { font: 15px/1.45 system-ui, sans-serif; max-width: 44rem; color: #222 }
.tl-head { display: flex; justify-content: space-between; color: #666; font-size: 13px; margin-bottom: .5rem }
.tl-list { list-style: none; margin: 0; padding: 0 }
.tl-comment { border-top: 1px solid #eee; padding: .6rem 0 }
.tl-reply { margin-left: 1.5rem }
.tl-author { font-weight: 600 } .tl-time { color: #888; font-size: 12px; margin-left: .5rem }
.tl-body { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .2rem }
.tl-pending { opacity: .6 } .tl-badge { font-size: 11px; background: #fff3c4; border-radius: 3px; padding: 0 .3rem; margin-left: .4rem }
.tl-featured .tl-badge-featured { background: #dff3e4 }
.tl-form textarea { width: 100%; min-height: 4rem; box-sizing: border-box; font: inherit }
.tl-error { color: #b00020; font-size: 13px; min-height: 1.2em }
.tl-typing { color: #888; font-size: 12px; min-height: 1.2em }
.tl-status { color: #666; font-size: 13px }
`;

function renderComment(c: Comment, byId: Map<string, Comment>): HTMLLIElement {
  const item = el('li', `tl-comment${c.parentId ? ' tl-reply' : ''}${c.status === 'pending' ? ' tl-pending' : ''}${c.featured ? ' tl-featured' : ''}`);
  item.dataset.commentId = c.id;
  const meta = el('div', 'tl-meta');
  meta.append(el('span', 'tl-author', c.author.name), el('span', 'tl-time', new Date(c.createdAt).toLocaleString()));
  if (c.status === 'pending') meta.append(el('span', 'tl-badge', 'awaiting moderation'));
  if (c.featured) meta.append(el('span', 'tl-badge tl-badge-featured', 'featured'));
  const parent = c.parentId ? byId.get(c.parentId) : undefined;
  if (parent) meta.append(el('span', 'tl-time', `replying to ${parent.author.name}`));
  item.append(meta, el('div', 'tl-body', c.body));
  return item;
}

/**
 * Mounts the widget into `root`; returns the client (close it to unmount).
 * If the first load fails for a reason that passes (network, server busy),
 * the widget says so and shows the thread once a retry succeeds; any other
 * failure is shown in the widget, closes the client and rejects.
 */
export async function mount(root: HTMLElement, opts: MountOptions & { url: string }): Promise<ThreadlineClient> {
  const style = document.createElement('style');
  style.textContent = STYLE;
  const box = el('section', 'tl');
  const head = el('div', 'tl-head');
  const count = el('span', 'tl-count', '');
  const viewers = el('span', 'tl-viewers', '');
  head.append(count, viewers);
  const list = el('ol', 'tl-list');
  const typing = el('div', 'tl-typing');
  const status = el('div', 'tl-status');
  box.append(head, status, list, typing);
  root.replaceChildren(style, box);

  const client = connect({ url: opts.url, ...(opts.token ? { token: opts.token } : {}) });
  let view: ThreadView | undefined;
  const render = (comments = view?.comments) => {
    if (!comments) return;
    const byId = new Map(comments.map((c) => [c.id, c]));
    list.replaceChildren(...comments.map((c) => renderComment(c, byId)));
    count.textContent = `${comments.filter((c) => c.status === 'visible').length} comments`;
  };
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const handlers: ThreadHandlers = {
    // Reset hands over the comments: it can come before joinThread resolves (a retried first load).
    onReset: (comments) => render(comments),
    onEvent: () => render(),
    onOwnComment: () => render(),
    onPresence: (n) => (viewers.textContent = `${n} reading now`),
    onTyping: (user) => {
      typing.textContent = `${user.name} is typing…`;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typing.textContent = ''), 4_000);
    },
    onError: () => (status.textContent = 'Connection trouble; retrying…'),
    onLive: () => (status.textContent = ''),
  };
  try {
    view = await client.joinThread(opts.threadId, handlers);
  } catch (err) {
    if (!(err instanceof ThreadlineError) || !isRetryable(err.code)) {
      status.textContent = `Could not load the comments: ${err instanceof ThreadlineError ? err.message : String(err)}`;
      client.close();
      throw err;
    }
    // The client keeps this view and retries it by itself; joining again hands it over.
    view = await client.joinThread(opts.threadId, handlers);
  }
  render();

  if (opts.token) {
    const form = el('form', 'tl-form');
    const input = el('textarea', 'tl-input');
    input.placeholder = 'Join the discussion';
    input.maxLength = 5_000;
    const error = el('div', 'tl-error');
    const send = el('button', 'tl-send', 'Post');
    send.type = 'submit';
    form.append(input, error, send);
    box.append(form);
    input.addEventListener('input', () => client.typing(opts.threadId));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = input.value;
      if (!body.trim()) return;
      send.disabled = true;
      error.textContent = '';
      client.post({ threadId: opts.threadId, body }).then(
        () => {
          input.value = '';
          send.disabled = false;
          render();
        },
        (err: unknown) => {
          send.disabled = false;
          error.textContent = err instanceof ThreadlineError ? err.message : 'Could not post; try again';
        },
      );
    });
  }
  return client;
}
