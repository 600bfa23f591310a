/**
 * The embeddable comment widget: a thread's comments, live, with a composer
 * for signed-in readers. Built on the SDK; every piece of user text is put on
 * the page with textContent, never as HTML.
 *
 *   <div id="comments"></div>
 *   <script src="https://comments.example.com/widget.js"></script>
 *   <script>Threadline.mount(document.getElementById('comments'), { threadId: 'korea-summit', token })</script>
 */
import type { Comment, Notification, ReportReason } from '../../contract/index.ts';
import { MENTION_PATTERN } from '../../contract/mentions.ts';
import { button, el } from '../dom.ts';
import { excerpt } from '../text.ts';
import { connect, isRetryable, ThreadlineError, type ThreadHandlers, type ThreadlineClient, type ThreadView } from '../sdk/index.ts';

export interface MountOptions {
  threadId: string;
  /** The reader's JWT from the host site; omit for read-only. */
  token?: string;
  /** Threadline's URL; defaults to where widget.js was loaded from (entry.ts records it). */
  url?: string;
}

const STYLE = `
.tl { font: 15px/1.45 system-ui, sans-serif; max-width: 44rem; color: #222 }
.tl-head { display: flex; justify-content: space-between; color: #666; font-size: 13px; margin-bottom: .5rem }
.tl-list { list-style: none; margin: 0; padding: 0 }
.tl-comment { border-top: 1px solid #eee; padding: .6rem 0 }
.tl-reply { margin-left: 1.5rem }
.tl-author { font-weight: 600 } .tl-time { color: #888; font-size: 12px; margin-left: .5rem }
.tl-body { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .2rem }
.tl-tombstone { color: #888; font-style: italic } .tl-pending { opacity: .6 } .tl-badge { font-size: 11px; background: #fff3c4; border-radius: 3px; padding: 0 .3rem; margin-left: .4rem }
.tl-featured .tl-badge-featured { background: #dff3e4 }
.tl-form textarea { width: 100%; min-height: 4rem; box-sizing: border-box; font: inherit }
.tl-error { color: #b00020; font-size: 13px; min-height: 1.2em }
.tl-typing { color: #888; font-size: 12px; min-height: 1.2em }
.tl-status { color: #666; font-size: 13px }
.tl-mention { color: #0b57d0; font-weight: 500 }
.tl-actions { margin-top: .2rem; font-size: 12px }
.tl-actions button { background: none; border: 0; padding: 0; margin-right: .8rem; color: #555; cursor: pointer; font: inherit }
.tl-actions button:hover { text-decoration: underline }
.tl-actions select { font: inherit; margin-right: .4rem }
.tl-replying { font-size: 13px; color: #555; min-height: 1.2em }
.tl-replying button { background: none; border: 0; color: #b00020; cursor: pointer; font: inherit }
.tl-suggest { list-style: none; margin: .2rem 0; padding: 0; border: 1px solid #ddd; border-radius: 4px; max-width: 20rem }
.tl-suggest button { display: block; width: 100%; text-align: left; background: none; border: 0; padding: .25rem .5rem; cursor: pointer; font: inherit }
.tl-suggest button:hover { background: #f2f5fb } .tl-suggest .tl-handle { color: #666; margin-left: .4rem }
.tl-editor textarea { width: 100%; min-height: 3.5rem; box-sizing: border-box; font: inherit }
.tl-editor button { font: inherit; font-size: 12px; margin-right: .4rem }
.tl-older { background: none; border: 1px solid #ddd; border-radius: 4px; padding: .2rem .6rem; margin: .3rem 0; cursor: pointer; font: inherit; color: #333 }
.tl-bell { background: none; border: 0; padding: 0; color: #555; cursor: pointer; font: inherit }
.tl-bell-count { background: #b00020; color: #fff; border-radius: 8px; padding: 0 .35rem; margin-left: .25rem; font-size: 11px }
.tl-inbox { list-style: none; margin: 0 0 .6rem; padding: .4rem .6rem; border: 1px solid #ddd; border-radius: 4px; font-size: 13px }
.tl-inbox li { padding: .25rem 0 } .tl-inbox .tl-unread { font-weight: 600 }
`;

const REPORT_REASONS: [ReportReason, string][] = [
  ['spam', 'Spam'],
  ['abuse', 'Abusive'],
  ['off_topic', 'Off topic'],
  ['other', 'Something else'],
];

/**
 * The body as text nodes, with the server's mentions (never the client's
 * guess) picked out in spans: still textContent only, never HTML.
 */
function renderBody(c: Comment): HTMLDivElement {
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

/** What a signed-in reader can do to a comment. */
interface CommentActions {
  me: () => string | undefined;
  reply(c: Comment): void;
  remove(c: Comment): Promise<unknown>;
  report(c: Comment, reason: ReportReason): Promise<unknown>;
  /**
   * Reports being written or sent, by comment id. The list is redrawn on
   * every live event, so this state lives outside it.
   */
  reports: Map<string, { reason: ReportReason; state: 'choosing' | 'sending' | 'sent'; error?: string }>;
  /** Your comments being edited, by id, with the draft (kept across redraws like reports). */
  edits: Map<string, { text: string; saving: boolean; error?: string }>;
  save(c: Comment, body: string): Promise<unknown>;
  redraw(): void;
}

function renderEditor(c: Comment, actions: CommentActions): HTMLElement {
  const draft = actions.edits.get(c.id)!;
  const box = el('div', 'tl-editor');
  const input = el('textarea', 'tl-edit-input');
  input.value = draft.text;
  input.maxLength = 5_000;
  // Redraws keep focus and caret on the draft (see render in mount).
  input.dataset.keepFocus = c.id;
  input.addEventListener('input', () => (draft.text = input.value));
  const save = button('tl-edit-save', draft.saving ? 'Saving…' : 'Save', () => {
    draft.saving = true;
    delete draft.error;
    actions.redraw();
    actions.save(c, draft.text).then(
      () => actions.edits.delete(c.id),
      (err: unknown) => {
        draft.saving = false;
        draft.error = err instanceof ThreadlineError ? err.message : 'Could not save; try again';
      },
    ).finally(() => actions.redraw());
  });
  save.disabled = draft.saving;
  const cancel = button('tl-edit-cancel', 'Cancel', () => (actions.edits.delete(c.id), actions.redraw()));
  box.append(input, save, cancel);
  if (draft.error) box.append(el('div', 'tl-error', draft.error));
  return box;
}

function renderReport(c: Comment, actions: CommentActions): HTMLElement[] {
  const report = actions.reports.get(c.id);
  if (!report) return [button('tl-report', 'Report', () => (actions.reports.set(c.id, { reason: 'spam', state: 'choosing' }), actions.redraw()))];
  if (report.state === 'sent') return [el('span', 'tl-reported', 'Reported; thank you')];
  const reason = el('select', 'tl-report-reason');
  for (const [value, label] of REPORT_REASONS) reason.append(Object.assign(el('option', '', label), { value, selected: value === report.reason }));
  reason.addEventListener('change', () => (report.reason = reason.value as ReportReason));
  const send = button('tl-report-send', report.state === 'sending' ? 'Sending…' : 'Send report', () => {
    report.state = 'sending';
    actions.redraw();
    actions.report(c, report.reason).then(
      () => (report.state = 'sent'),
      (err: unknown) => {
        report.state = 'choosing';
        report.error = err instanceof ThreadlineError ? err.message : 'Could not report; try again';
      },
    ).finally(() => actions.redraw());
  });
  send.disabled = report.state === 'sending';
  return report.error ? [reason, send, el('span', 'tl-error', report.error)] : [reason, send];
}

function renderActions(c: Comment, actions: CommentActions): HTMLDivElement | null {
  const me = actions.me();
  if (!me) return null;
  const bar = el('div', 'tl-actions');
  if (c.status === 'visible') bar.append(button('tl-reply-to', 'Reply', () => actions.reply(c)));
  if (c.author?.id === me) {
    if (!actions.edits.has(c.id)) bar.append(button('tl-edit', 'Edit', () => (actions.edits.set(c.id, { text: c.body, saving: false }), actions.redraw())));
    const del = button('tl-delete', 'Delete', () => {
      del.disabled = true;
      actions.remove(c).catch((err: unknown) => {
        del.disabled = false;
        del.textContent = err instanceof ThreadlineError ? err.message : 'Could not delete';
      });
    });
    bar.append(del);
  } else if (c.status === 'visible') {
    bar.append(...renderReport(c, actions));
  }
  return bar;
}

/** What a reader sees in place of a comment that is gone or held: no author, no text. */
const TOMBSTONE: Record<Comment['status'], string> = {
  deleted: 'This comment was deleted',
  removed: 'Removed by a moderator',
  pending: 'This comment is awaiting moderation',
  visible: '',
};

function renderComment(c: Comment, byId: Map<string, Comment>, actions: CommentActions): HTMLLIElement {
  if (!c.author) {
    const gone = el('li', `tl-comment tl-tombstone${c.parentId ? ' tl-reply' : ''}`, TOMBSTONE[c.status]);
    gone.dataset.commentId = c.id;
    return gone;
  }
  const item = el('li', `tl-comment${c.parentId ? ' tl-reply' : ''}${c.status === 'pending' ? ' tl-pending' : ''}${c.featured ? ' tl-featured' : ''}`);
  item.dataset.commentId = c.id;
  const meta = el('div', 'tl-meta');
  meta.append(el('span', 'tl-author', c.author.name), el('span', 'tl-time', new Date(c.createdAt).toLocaleString()));
  if (c.status === 'pending') meta.append(el('span', 'tl-badge', 'awaiting moderation'));
  if (c.featured) meta.append(el('span', 'tl-badge tl-badge-featured', 'featured'));
  const parent = c.parentId ? byId.get(c.parentId) : undefined;
  if (parent) meta.append(el('span', 'tl-time', parent.author ? `replying to ${parent.author.name}` : 'replying to a comment that is gone'));
  if (c.editedAt) meta.append(el('span', 'tl-time tl-edited', 'edited'));
  item.append(meta, actions.edits.has(c.id) ? renderEditor(c, actions) : renderBody(c));
  const bar = renderActions(c, actions);
  if (bar) item.append(bar);
  return item;
}

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

/**
 * Conversation order: each top-level comment followed by every reply in its
 * conversation (replies to replies included), each group oldest first. A
 * reply whose conversation is not loaded (an older page) stands on its own.
 */
function conversationOrder(comments: Comment[]): Comment[] {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const rootOf = (c: Comment): string => {
    let at = c;
    for (let hops = 0; at.parentId && byId.has(at.parentId) && hops < 100; hops++) at = byId.get(at.parentId)!;
    return at.id;
  };
  const groups = new Map<string, Comment[]>();
  for (const c of comments) {
    const root = rootOf(c);
    const group = groups.get(root);
    if (group) group.push(c);
    else groups.set(root, [c]);
  }
  // Groups keep the position of their first comment; a reply loaded before its root cannot happen (oldest first).
  return [...groups.values()].flat();
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

  // Signed-in readers get a bell with their unread count; opening it lists the inbox and marks it read.
  const bell = button('tl-bell', 'Notifications', () => {
    if (!inbox.hidden) return void (inbox.hidden = true);
    client.notifications({ limit: 10 }).then(
      async (page) => {
        inbox.replaceChildren(...(page.notifications.length ? page.notifications.map(renderNotification) : [el('li', '', 'Nothing yet')]));
        inbox.hidden = false;
        if (page.unread > 0) await client.markRead('all');
      },
      (err: unknown) => (status.textContent = err instanceof ThreadlineError ? err.message : 'Could not load notifications'),
    );
  });
  const bellCount = el('span', 'tl-bell-count');
  const inbox = el('ol', 'tl-inbox');
  const showUnread = (unread: number) => {
    bellCount.textContent = String(unread);
    if (unread > 0) bell.append(bellCount);
    else bellCount.remove();
  };
  const client = connect({ url: opts.url, ...(opts.token ? { token: opts.token, onUnread: showUnread } : {}) });
  if (opts.token) {
    head.append(bell);
    box.insertBefore(inbox, status);
    inbox.hidden = true;
  }
  let view: ThreadView | undefined;
  // The composer (below) sets these once it exists.
  let replyTo: (c: Comment) => void = () => {};
  const actions: CommentActions = {
    me: () => (opts.token ? client.session?.id : undefined),
    reply: (c) => replyTo(c),
    remove: (c) => client.remove(c.id).then(() => render()),
    report: (c, reason) => client.report(c.id, reason),
    reports: new Map(),
    edits: new Map(),
    save: (c, body) => client.edit(c.id, body),
    redraw: () => render(),
  };
  const render = (comments = view?.comments) => {
    if (!comments) return;
    const byId = new Map(comments.map((c) => [c.id, c]));
    // A draft being typed must not lose focus or caret when a live event redraws the list.
    const focused = document.activeElement;
    const keep = focused instanceof HTMLTextAreaElement && list.contains(focused) && focused.dataset.keepFocus
      ? { id: focused.dataset.keepFocus, start: focused.selectionStart, end: focused.selectionEnd }
      : undefined;
    list.replaceChildren(...conversationOrder(comments).map((c) => renderComment(c, byId, actions)));
    if (keep) {
      const again = [...list.querySelectorAll<HTMLTextAreaElement>('textarea[data-keep-focus]')].find((t) => t.dataset.keepFocus === keep.id);
      again?.focus();
      again?.setSelectionRange(keep.start, keep.end);
    }
    // The thread's count comes with the join, a moment after the first page: until then, none (not the page's).
    const total = view?.commentCount;
    count.textContent = total === undefined ? '' : total === 1 ? '1 comment' : `${total} comments`;
    older.hidden = !view?.hasMore;
  };
  // The first load is the newest page; older ones come on request, above the list.
  const older = button('tl-older', 'Show older comments', () => {
    older.disabled = true;
    view!.loadMore().then(
      () => render(),
      (err: unknown) => (status.textContent = err instanceof ThreadlineError ? err.message : 'Could not load older comments'),
    ).finally(() => (older.disabled = false));
  });
  older.hidden = true;
  box.insertBefore(older, list);
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
    const replying = el('div', 'tl-replying');
    const input = el('textarea', 'tl-input');
    input.placeholder = 'Join the discussion';
    input.maxLength = 5_000;
    const error = el('div', 'tl-error');
    const send = el('button', 'tl-send', 'Post');
    send.type = 'submit';
    const suggest = el('ul', 'tl-suggest');
    suggest.hidden = true;
    form.append(replying, input, suggest, error, send);
    box.append(form);
    let parentId: string | undefined;
    const setReply = (c: Comment | undefined) => {
      parentId = c?.id;
      replying.replaceChildren();
      if (!c) return;
      replying.append(`Replying to ${c.author?.name ?? 'a comment'} `, button('tl-reply-cancel', 'cancel', () => setReply(undefined)));
    };
    replyTo = (c) => {
      setReply(c);
      input.focus();
    };
    // The session (who "me" is) arrives with the connection; show the actions once it is known.
    render();
    input.addEventListener('input', () => {
      client.typing(opts.threadId);
      suggestMentions();
    });
    // @mention autocomplete: the word being typed after "@", looked up among the thread's participants first.
    let lookup = 0;
    let lookupTimer: ReturnType<typeof setTimeout> | undefined;
    const suggestMentions = () => {
      clearTimeout(lookupTimer);
      const before = input.value.slice(0, input.selectionStart ?? input.value.length);
      const typed = /(?:^|[^\p{L}\p{N}_@])@([A-Za-z0-9_]{0,32})$/u.exec(before);
      if (!typed) {
        suggest.hidden = true;
        return;
      }
      const mine = ++lookup;
      lookupTimer = setTimeout(() => {
        client.participants(opts.threadId, typed[1]!).then(
          (users) => {
            if (mine !== lookup) return; // a later keystroke asked again
            // The server leaves out the reader themself.
            suggest.replaceChildren(
              ...users.map((u) => {
                const item = el('li', '');
                const pick = button('tl-suggest-user', u.name, () => {
                  const start = before.length - typed[1]!.length - 1;
                  const after = input.value.slice(before.length);
                  input.value = `${input.value.slice(0, start)}@${u.handle} ${after.replace(/^ /, '')}`;
                  const caret = start + u.handle.length + 2;
                  input.setSelectionRange(caret, caret);
                  suggest.hidden = true;
                  input.focus();
                });
                pick.append(el('span', 'tl-handle', `@${u.handle}`));
                item.append(pick);
                return item;
              }),
            );
            suggest.hidden = users.length === 0;
          },
          () => (suggest.hidden = true),
        );
      }, 150);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = input.value;
      if (!body.trim()) return;
      send.disabled = true;
      error.textContent = '';
      client.post({ threadId: opts.threadId, body, ...(parentId ? { parentId } : {}) }).then(
        () => {
          input.value = '';
          send.disabled = false;
          suggest.hidden = true;
          setReply(undefined);
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
