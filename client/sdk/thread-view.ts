import type { Comment, CommentPage, EventResponse, ListCommentsQuery, StreamPosition, Thread, ThreadEvent } from '../../contract/index.ts';
import type { ThreadlineError } from './errors.ts';
import type { ServerEventData } from './types.ts';
import { ignore } from './ignore.ts';

/**
 * Why the app is being handed a fresh list of comments: `initial` once, for
 * the first load (even if the thread moved on so far while the page loaded
 * that the view had to load it again); the others only after the view has
 * been live, when history it followed was lost.
 */
export type ResetReason = 'initial' | 'history-lost' | 'epoch-changed';

export interface ThreadHandlers {
  /** The first page, and again whenever history was lost and the view reloaded; always before the events that follow it. */
  onReset?(comments: Comment[], reason: ResetReason): void;
  /** Every change to the thread, once, in offset order. */
  onEvent?(event: ThreadEvent): void;
  onPresence?(viewers: number): void;
  /** The thread's settings changed (locked, slow mode, pre-moderation). */
  onThreadUpdated?(thread: Thread): void;
  /** One of your own comments changed out of readers' sight (held, approved, rejected). */
  onOwnComment?(comment: Comment): void;
  onTyping?(user: ServerEventData<'thread:typing'>['user']): void;
  /** Something failed that the view will retry by itself; for logging or a banner. */
  onError?(error: ThreadlineError): void;
  /** The view is up to date and following live events: after the first load, and after each catch-up (e.g. a retry that followed onError). */
  onLive?(): void;
}

/** What a view needs from the connection; the client implements it. */
export interface ThreadTransport {
  join(threadId: string, since: StreamPosition): Promise<EventResponse<'thread:join'>>;
  leave(threadId: string): Promise<void>;
  page(threadId: string, query: ListCommentsQuery): Promise<CommentPage>;
}

const RETRY_MS = [250, 500, 1_000, 2_000, 5_000];

/**
 * One followed thread: loads the newest page over REST, then follows live
 * events with gap detection. Events are applied strictly in offset order;
 * a repeat (same offset, or a comment state we already have) is dropped, a
 * gap or a sync hint triggers a re-join with `since`, and lost history
 * (`recovered: false`, new epoch) reloads the page and says so.
 */
export class ThreadView {
  private position: StreamPosition = { offset: 0, epoch: '' };
  private readonly byId = new Map<string, Comment>();
  /** Comments readers cannot see (tombstones); shown only while a visible reply needs their place. */
  private readonly gone = new Map<string, Comment>();
  /** Your own comments waiting for a moderator (only you see them). */
  private readonly ownPending = new Map<string, Comment>();
  private buffer: ThreadEvent[] = [];
  private live = false;
  private closed = false;
  private syncing: Promise<void> | undefined;
  private resyncRequested = false;
  private pendingReload: ResetReason | undefined;
  /** A reload the app has not been told about yet: it is told once the join after it succeeds. */
  private resetDue: ResetReason | undefined;
  private everLive = false;
  private nextCursor: string | null = null;
  /** The thread's readable comments as of the last join, and the offset that count is at. */
  private counted: { count: number; atOffset: number } | undefined;
  private failures = 0;
  private latestThread: Thread | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly threadId: string,
    private readonly handlers: ThreadHandlers,
    private readonly transport: ThreadTransport,
    private readonly pageSize: number,
  ) {}

  /**
   * Readable comments known to this view, your own pending ones (status
   * `pending`), and the tombstone (`author: null`) of each comment that is
   * gone but still has a visible reply in the view, oldest first.
   */
  get comments(): Comment[] {
    const all = [...this.byId.values(), ...[...this.ownPending.values()].filter((c) => !this.byId.has(c.id))];
    all.push(...this.neededTombstones(all));
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Tombstones that hold the place of a shown reply, also up a chain of gone comments. */
  private neededTombstones(shown: Comment[]): Comment[] {
    const out: Comment[] = [];
    const taken = new Set(shown.map((c) => c.id));
    let parents = shown.map((c) => c.parentId);
    while (parents.length > 0) {
      const next: (string | null)[] = [];
      for (const id of parents) {
        const t = id && !taken.has(id) ? this.gone.get(id) : undefined;
        if (!t) continue;
        taken.add(t.id);
        out.push(t);
        next.push(t.parentId);
      }
      parents = next;
    }
    return out;
  }

  /** Where the view is in the thread's event log. */
  get at(): StreamPosition {
    return { ...this.position };
  }

  /**
   * How many readable comments the whole thread has (not only the loaded
   * pages): the count at the last join, kept up by the live events since.
   * Undefined until the first join.
   */
  get commentCount(): number | undefined {
    return this.counted?.count;
  }

  /** The thread's settings and title as of the last join or `thread:updated`; undefined until the first join. */
  get thread(): Thread | undefined {
    return this.latestThread;
  }

  get hasMore(): boolean {
    return this.nextCursor !== null;
  }

  /** Resolves once the first page is loaded and live events flow. */
  start(): Promise<void> {
    this.pendingReload = 'initial';
    return this.sync();
  }

  /** Older comments, one page at a time. */
  async loadMore(): Promise<Comment[]> {
    if (!this.nextCursor) return [];
    const page = await this.transport.page(this.threadId, { limit: this.pageSize, order: 'newest', cursor: this.nextCursor });
    this.nextCursor = page.nextCursor;
    for (const c of page.comments) if (!this.byId.has(c.id)) this.byId.set(c.id, c);
    for (const t of page.tombstones ?? []) if (!this.byId.has(t.id) && !this.gone.has(t.id)) this.gone.set(t.id, t);
    return page.comments;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.transport.leave(this.threadId).catch(ignore);
  }

  // ---- inputs from the connection ----

  onEvent(event: ThreadEvent): void {
    if (this.closed) return;
    if (!this.live) {
      this.buffer.push(event);
      return;
    }
    if (this.accept(event) === 'gap') {
      this.buffer.push(event);
      this.requestSync();
    }
  }

  /**
   * The server says where the thread is; re-join unless that is exactly where we are. We are
   * behind, or on another epoch: catch up. We are ahead on the same epoch: the data went back
   * (restored from an older copy), the join answers `recovered: false` and we reload, instead of
   * keeping lost comments and dropping new ones as repeats of offsets we hold. (A hint read just
   * before an event we already applied also puts us ahead; that costs one join that recovers nothing.)
   */
  onSyncHint(position: StreamPosition): void {
    if (position.epoch !== this.position.epoch || position.offset !== this.position.offset) this.requestSync();
  }

  /** The socket reconnected (possibly to another server): re-join from where we are. */
  onReconnect(): void {
    this.live = false;
    this.requestSync();
  }

  onPresence(viewers: number): void {
    this.handlers.onPresence?.(viewers);
  }

  onThreadUpdated(thread: Thread): void {
    this.latestThread = thread;
    this.handlers.onThreadUpdated?.(thread);
  }

  /** Your comment went to or left the pending state without a public event. */
  onOwnComment(comment: Comment): void {
    if (comment.status === 'pending') this.ownPending.set(comment.id, comment);
    else this.ownPending.delete(comment.id);
    if (comment.status !== 'visible') this.byId.delete(comment.id);
    this.handlers.onOwnComment?.(comment);
  }

  onTyping(user: ServerEventData<'thread:typing'>['user']): void {
    this.handlers.onTyping?.(user);
  }

  // ---- the sync loop ----

  private requestSync(): void {
    if (this.closed) return;
    if (this.syncing) {
      this.resyncRequested = true;
      return;
    }
    this.sync().catch(ignore);
  }

  private sync(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.syncing ??= this.syncLoop().then(
      () => {
        this.failures = 0;
        this.syncing = undefined;
        if (!this.closed) this.handlers.onLive?.();
      },
      (err: ThreadlineError) => {
        this.syncing = undefined;
        this.live = false;
        this.handlers.onError?.(err);
        const wait = RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)]!;
        if (!this.closed) this.retryTimer = setTimeout(() => this.requestSync(), wait);
        throw err;
      },
    );
    return this.syncing;
  }

  private async syncLoop(): Promise<void> {
    do {
      this.resyncRequested = false;
      if (this.pendingReload) await this.reload(this.pendingReload);
      this.live = false;
      const res = await this.transport.join(this.threadId, this.at);
      if (this.closed) return;
      if (!res.recovered) {
        // Before the first live moment the app has lost nothing: the page it was about to get is
        // outdated, so it gets a newer one, still as its first.
        if (!this.everLive) this.pendingReload = 'initial';
        else this.pendingReload = res.epoch !== this.position.epoch && this.position.offset > 0 ? 'epoch-changed' : 'history-lost';
        this.resyncRequested = true;
        continue;
      }
      const reset = this.resetDue;
      this.resetDue = undefined;
      if (reset) this.handlers.onReset?.(this.comments, reset);
      this.counted = { count: res.thread.commentCount, atOffset: res.offset };
      this.latestThread = res.thread;
      for (const event of res.missed) this.accept(event);
      if (this.position.offset === 0) this.position.epoch = res.epoch;
      this.live = true;
      this.everLive = true;
      this.drain();
    } while (this.resyncRequested && !this.closed);
  }

  private async reload(reason: ResetReason): Promise<void> {
    const page = await this.transport.page(this.threadId, { limit: this.pageSize, order: 'newest' });
    this.pendingReload = undefined;
    this.byId.clear();
    for (const c of page.comments) this.byId.set(c.id, c);
    this.gone.clear();
    for (const t of page.tombstones ?? []) this.gone.set(t.id, t);
    this.ownPending.clear();
    for (const c of page.pending ?? []) this.ownPending.set(c.id, c);
    this.nextCursor = page.nextCursor;
    this.position = { offset: page.offset, epoch: page.epoch };
    this.buffer = this.buffer.filter((e) => e.epoch === page.epoch && e.offset > page.offset);
    // Told after the join that confirms this page: the app gets one reset per loss, never an
    // 'initial' followed at once by a reload it could not have caused.
    this.resetDue ??= reason;
  }

  /** Applies buffered events that are now next in line; a remaining gap asks for another sync. */
  private drain(): void {
    this.buffer.sort((a, b) => a.offset - b.offset);
    const waiting: ThreadEvent[] = [];
    for (const event of this.buffer) {
      if (this.accept(event) === 'gap') waiting.push(event);
    }
    this.buffer = waiting;
    if (waiting.length > 0) this.resyncRequested = true;
  }

  private accept(event: ThreadEvent): 'applied' | 'duplicate' | 'gap' {
    const adoptEpoch = this.position.offset === 0 && event.offset === 1;
    if (event.epoch !== this.position.epoch && !adoptEpoch) {
      // From a lost history, or a new one we have not joined yet: let a sync decide.
      this.resyncRequested = true;
      if (this.live && !this.syncing) this.requestSync();
      return 'duplicate';
    }
    if (event.offset <= this.position.offset) return 'duplicate';
    if (event.offset !== this.position.offset + 1) return 'gap';
    this.position = { offset: event.offset, epoch: event.epoch };
    if (this.counted && event.offset > this.counted.atOffset) {
      // comment.removed is only ever sent for a comment readers could see.
      if (event.type === 'comment.created') this.counted.count++;
      else if (event.type === 'comment.removed') this.counted.count = Math.max(0, this.counted.count - 1);
    }
    const known = this.byId.get(event.comment.id);
    // The page may already show this comment in the same or a later state.
    if (known && known.offset >= event.comment.offset) return 'duplicate';
    // A page's tombstone can be newer than the page (read after it): an older visible state must not revive the comment.
    const tomb = this.gone.get(event.comment.id);
    if (event.comment.status === 'visible' && tomb && tomb.offset > event.comment.offset) return 'duplicate';
    if (event.comment.status === 'visible') {
      this.byId.set(event.comment.id, event.comment);
      this.gone.delete(event.comment.id);
      this.ownPending.delete(event.comment.id);
    } else {
      this.byId.delete(event.comment.id);
      // Kept (it is only the public tombstone) so its replies keep their place; `comments` shows it only while they do.
      const had = this.gone.get(event.comment.id);
      if (!had || had.offset <= event.comment.offset) this.gone.set(event.comment.id, event.comment);
    }
    this.handlers.onEvent?.(event);
    return 'applied';
  }
}
