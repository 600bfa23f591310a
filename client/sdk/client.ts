import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  Ack,
  ClientEventName,
  ClientToServerEvents,
  Comment,
  EventRequest,
  EventResponse,
  NotificationPage,
  ReportReason,
  ServerToClientEvents,
  SessionUser,
  UserRef,
} from '../../contract/index.ts';
import { isRetryable, ThreadlineError } from './errors.ts';
import { DEFAULT_OUTBOX_MAX_AGE_MS, Outbox, type OutboxOptions, type OutgoingPost } from './outbox.ts';
import { memoryStorage } from './storage.ts';
import { RestClient } from './rest.ts';
import { ThreadView, type ThreadHandlers, type ThreadTransport } from './thread-view.ts';
import type { ServerEventData } from './types.ts';
import { ignore } from './ignore.ts';

export interface ConnectOptions {
  /** Threadline's base URL, e.g. https://comments.example.com */
  url: string;
  /** The reader's JWT from the host site; omit for an anonymous reader. */
  token?: string;
  /**
   * Supplies a new token when the current one is about to expire or was
   * refused as expired. Without it an expired session ends the connection.
   */
  refreshToken?: () => Promise<string>;
  /** Page size of the first load and of `loadMore` (default 50). */
  pageSize?: number;
  /** How long to wait for the server to acknowledge an event (default 10 s). */
  ackTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Passed to socket.io-client (e.g. reconnection delays). */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /**
   * Called when the session (who the server thinks we are) arrives or changes,
   * e.g. a ban made or lifted: `banned` non-null means posting is refused (hide the composer).
   */
  onSession?(user: SessionUser | null, banned: ServerEventData<'session'>['banned']): void;
  /** Where unsent posts wait (default: memory). Pass `localStorageAdapter()` or an AsyncStorage-backed adapter to keep them across restarts. */
  outbox?: OutboxOptions;
  /** A post stored by an earlier run (see `outbox`) was sent after this start: the comment, or the server's refusal. */
  onRestoredPost?(post: OutgoingPost, outcome: Comment | ThreadlineError): void;
  /** Called when the connection goes up or down. */
  onConnectionChange?(connected: boolean): void;
  /** You were banned (posting is refused until `until`; null = permanently). */
  onBanned?(ban: ServerEventData<'account:banned'>): void;
  /** The server is closing this connection and says why (e.g. too many events). */
  onClosing?(info: ServerEventData<'connection:closing'>): void;
  /** You were mentioned or replied to (live; also in the inbox). Carries the new unread count. */
  onNotification?(notification: ServerEventData<'notification'>): void;
  /** Your unread notification count: on connect and after every change, on every tab. */
  onUnread?(unread: number): void;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Refresh this long before the token expires. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * A connection to Threadline for web and mobile apps: follows threads
 * without gaps across reconnects and server failures, and posts exactly once.
 */
export class ThreadlineClient {
  readonly socket: ClientSocket;
  private token: string | undefined;
  private readonly views = new Map<string, ThreadView>();
  private readonly outbox: Outbox;
  private readonly rest: RestClient;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private everConnected = false;
  private user: SessionUser | null = null;
  private unreadCount: number | null = null;

  constructor(private readonly opts: ConnectOptions) {
    this.token = opts.token;
    this.rest = new RestClient({
      baseUrl: opts.url.replace(/\/$/, ''),
      token: () => this.token,
      fetch: opts.fetch,
    });
    // socket.io-client's default transports: long-polling first, then an
    // upgrade to websocket, so proxies that refuse upgrades still get through.
    this.socket = io(opts.url, {
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      ...opts.socket,
      auth: (cb) => cb(this.token ? { token: this.token } : {}),
    });
    this.outbox = new Outbox(
      (post) => this.send(post),
      opts.outbox?.storage ?? memoryStorage(),
      opts.outbox?.maxAgeMs ?? DEFAULT_OUTBOX_MAX_AGE_MS,
      (post, outcome) => {
        if (!(outcome instanceof ThreadlineError) && outcome.status === 'pending') this.views.get(outcome.threadId)?.onOwnComment(outcome);
        this.opts.onRestoredPost?.(post, outcome);
      },
    );
    // Offline at start there is no session yet: the token's subject names whose stored posts to send.
    void this.outbox.setOwner(tokenSubject(this.token));
    this.wire();
  }

  /** The signed-in user, or null for an anonymous reader (known after connecting). */
  get session(): SessionUser | null {
    return this.user;
  }

  /** The last unread notification count the server sent (null until it has, and for anonymous readers). */
  get unread(): number | null {
    return this.unreadCount;
  }

  /** Your notifications, newest first (signed-in readers); pass `nextCursor` back for older ones. */
  notifications(query: { cursor?: string; limit?: number } = {}): Promise<NotificationPage> {
    return this.rest.notifications(query);
  }

  /** Marks notifications read (these ids, or all); resolves with the new unread count, which every tab also receives. */
  async markRead(which: string[] | 'all'): Promise<number> {
    const unread = await this.rest.markRead(which);
    this.setUnread(unread);
    return unread;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Posts not yet acknowledged by the server; they are re-sent after a reconnect. */
  get pendingPosts(): readonly OutgoingPost[] {
    return this.outbox.pending();
  }

  /**
   * Loads the newest page of a thread over REST, then follows its live events.
   * Resolves when the view is live.
   */
  async joinThread(threadId: string, handlers: ThreadHandlers = {}): Promise<ThreadView> {
    const existing = this.views.get(threadId);
    if (existing) return existing;
    const view = new ThreadView(threadId, handlers, this.transport, this.opts.pageSize ?? 50);
    this.views.set(threadId, view);
    try {
      await view.start();
    } catch (err) {
      // The view keeps retrying by itself; the caller learns the first failure.
      if (!(err instanceof ThreadlineError) || !isRetryable(err.code)) {
        this.views.delete(threadId);
        await view.close();
      }
      throw err;
    }
    return view;
  }

  async leaveThread(threadId: string): Promise<void> {
    const view = this.views.get(threadId);
    this.views.delete(threadId);
    await view?.close();
  }

  /**
   * Posts a comment exactly once: it gets a clientId, waits in an outbox
   * until the server acknowledges it (across reconnects), and rejects only on
   * a typed refusal such as `invalid_payload` or `thread_locked`.
   */
  async post(input: { threadId: string; body: string; parentId?: string }): Promise<Comment> {
    const comment = await this.outbox.add({ ...input, clientId: newClientId() });
    // Held for a moderator: show it to its author, marked pending.
    if (comment.status === 'pending') this.views.get(comment.threadId)?.onOwnComment(comment);
    return comment;
  }

  async edit(commentId: string, body: string): Promise<Comment> {
    return (await this.request('comment:edit', { commentId, body })).comment;
  }

  async remove(commentId: string): Promise<Comment> {
    return (await this.request('comment:delete', { commentId })).comment;
  }

  /** Users whose handle or name starts with `prefix`, this thread's participants first (for @mention autocomplete; signed-in readers). */
  participants(threadId: string, prefix: string): Promise<UserRef[]> {
    return this.rest.participants(threadId, prefix);
  }

  /** Reports a comment to the moderators; enough distinct reports put it on hold. */
  report(commentId: string, reason: ReportReason, note?: string): Promise<{ reported: boolean; reports: number }> {
    return this.rest.report(commentId, reason, note);
  }

  /** Tells the thread's other viewers you are typing (the server throttles to one per 3 s). */
  typing(threadId: string): void {
    if (this.socket.connected) void this.request('typing', { threadId }).catch(ignore);
  }

  /** Drops every unsent post, also from the outbox storage (call it when the user signs out). */
  discardPendingPosts(): Promise<void> {
    return this.outbox.discard(new ThreadlineError({ code: 'unavailable', message: 'The post was discarded' }));
  }

  close(): void {
    clearTimeout(this.refreshTimer);
    for (const view of this.views.values()) void view.close();
    this.views.clear();
    this.outbox.close(new ThreadlineError({ code: 'unavailable', message: 'The client was closed' }));
    this.socket.disconnect();
  }

  // ---- plumbing ----

  private readonly transport: ThreadTransport = {
    join: (threadId, since) => this.request('thread:join', { threadId, since }),
    leave: async (threadId) => {
      if (this.socket.connected) await this.request('thread:leave', { threadId });
    },
    page: (threadId, query) => this.rest.page(threadId, query),
  };

  /** Emits with an ack; resolves the ok payload or throws a ThreadlineError. */
  async request<E extends ClientEventName>(event: E, payload: EventRequest<E>): Promise<EventResponse<E>> {
    if (!this.socket.connected) await this.waitForConnection();
    let res: Ack<EventResponse<E>>;
    try {
      res = await (
        this.socket.timeout(this.opts.ackTimeoutMs ?? 10_000) as unknown as {
          emitWithAck(e: string, p: unknown): Promise<Ack<EventResponse<E>>>;
        }
      ).emitWithAck(event, payload);
    } catch {
      throw new ThreadlineError({ code: 'unavailable', message: `No answer to ${event} in time` });
    }
    if (!res.ok) throw new ThreadlineError(res.error);
    return res;
  }

  private waitForConnection(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('connect', onConnect);
        reject(new ThreadlineError({ code: 'unavailable', message: 'Not connected' }));
      }, this.opts.ackTimeoutMs ?? 10_000);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      this.socket.once('connect', onConnect);
    });
  }

  private async send(post: OutgoingPost): Promise<'done' | 'retry'> {
    try {
      const { comment } = await this.request('comment:post', post.payload);
      post.resolve(comment);
      return 'done';
    } catch (err) {
      const error = err as ThreadlineError;
      // A posting limit is the reader's own pace, not a passing failure: re-sent quietly, the post would
      // only wait with nobody told why. It is refused instead, with retryAfterMs, for the app to say when.
      if (isRetryable(error.code) && error.code !== 'rate_limited') return 'retry';
      post.reject(error);
      return 'done';
    }
  }

  private wire(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.opts.onConnectionChange?.(true);
      if (this.everConnected) for (const view of this.views.values()) view.onReconnect();
      this.everConnected = true;
      this.outbox.flush();
    });
    s.on('disconnect', (reason) => {
      this.opts.onConnectionChange?.(false);
      // The server ended the session (token expired): reconnect with a fresh token if we can get one.
      if (reason === 'io server disconnect') void this.reconnectWithFreshToken();
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (err.data?.code === 'unauthenticated') void this.reconnectWithFreshToken();
    });
    s.on('session', ({ user, expiresAt, banned }) => {
      this.user = user;
      // Posts stored for this user by an earlier run are sent now; another user's stay where they are.
      void this.outbox.setOwner(user?.id ?? null);
      this.opts.onSession?.(user, banned);
      this.scheduleRefresh(expiresAt);
    });
    s.on('thread:event', (event) => this.views.get(event.threadId)?.onEvent(event));
    s.on('thread:batch', ({ threadId, events }) => {
      const view = this.views.get(threadId);
      if (view) for (const event of events) view.onEvent(event);
    });
    s.on('thread:sync', (hint) => this.views.get(hint.threadId)?.onSyncHint(hint));
    s.on('thread:presence', ({ threadId, viewers }) => this.views.get(threadId)?.onPresence(viewers));
    s.on('thread:typing', ({ threadId, user }) => this.views.get(threadId)?.onTyping(user));
    s.on('thread:updated', ({ thread }) => this.views.get(thread.id)?.onThreadUpdated(thread));
    s.on('comment:own', ({ comment }) => this.views.get(comment.threadId)?.onOwnComment(comment));
    s.on('account:banned', (ban) => this.opts.onBanned?.(ban));
    s.on('connection:closing', (info) => this.opts.onClosing?.(info));
    s.on('notification', (notification) => {
      this.opts.onNotification?.(notification);
      this.setUnread(notification.unread);
    });
    s.on('notifications:unread', ({ unread }) => this.setUnread(unread));
  }

  private setUnread(unread: number): void {
    if (unread === this.unreadCount) return;
    this.unreadCount = unread;
    this.opts.onUnread?.(unread);
  }

  private scheduleRefresh(expiresAt: string | null): void {
    clearTimeout(this.refreshTimer);
    if (!expiresAt || !this.opts.refreshToken) return;
    const remaining = Date.parse(expiresAt) - Date.now();
    const wait = Math.max(0, Math.min(remaining - REFRESH_MARGIN_MS, remaining / 2));
    this.refreshTimer = setTimeout(() => void this.refreshInPlace(), Math.min(wait, 2 ** 31 - 1));
  }

  /** Swaps the token on the live connection, so nothing is interrupted. */
  private async refreshInPlace(): Promise<void> {
    try {
      this.token = await this.opts.refreshToken!();
      const { expiresAt } = await this.request('auth:refresh', { token: this.token });
      this.scheduleRefresh(expiresAt);
    } catch {
      // The server will end the session at expiry; reconnectWithFreshToken handles that.
    }
  }

  private async reconnectWithFreshToken(): Promise<void> {
    if (!this.opts.refreshToken) return;
    try {
      this.token = await this.opts.refreshToken();
    } catch {
      return;
    }
    if (!this.socket.connected) this.socket.connect();
  }
}

/**
 * The `sub` claim of a JWT, read without verifying it: it only picks the
 * outbox storage key until the server's session names the user (the server
 * checks the token on every send).
 */
function tokenSubject(token: string | undefined): string | null {
  const part = token?.split('.')[1];
  const atob = (globalThis as { atob?: (data: string) => string }).atob;
  if (!part || !atob) return null;
  try {
    const claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}

function newClientId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // React Native without a crypto polyfill: ids only need to be unique per user.
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/** Connects to Threadline. */
export function connect(opts: ConnectOptions): ThreadlineClient {
  return new ThreadlineClient(opts);
}
