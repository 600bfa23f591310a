import type { Comment, EventRequest } from '../../contract/index.ts';
import type { ThreadlineError } from './errors.ts';
import { ignore } from './ignore.ts';
import type { OutboxStorage } from './storage.ts';

export interface OutgoingPost {
  payload: EventRequest<'comment:post'>;
  /** When `post()` was called (ISO 8601); kept across restarts. */
  queuedAt: string;
  /** Loaded from storage after a reload or restart: nobody awaits it, its outcome goes to `onRestoredPost`. */
  restored: boolean;
  resolve(comment: Comment): void;
  reject(error: ThreadlineError): void;
}

export interface OutboxOptions {
  /** Where unsent posts are kept (default: memory only). See docs/sdk.md, "Offline outbox". */
  storage?: OutboxStorage;
  /**
   * A stored post older than this is dropped, not sent (default 12 h). Keep it
   * below the server's IDEMPOTENCY_TTL_SECONDS (24 h): a re-send within that
   * window is recognised and stored once.
   */
  maxAgeMs?: number;
}

type Send = (post: OutgoingPost) => Promise<'done' | 'retry'>;
type Stored = Pick<OutgoingPost, 'payload' | 'queuedAt'>;

const BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000, 8_000];
export const DEFAULT_OUTBOX_MAX_AGE_MS = 12 * 3_600_000;
/** One user writing this many comments offline is already unusual; the stored list stays small. */
const MAX_STORED = 100;
/** Per user: another user signing in on the same device never sends (or sees) these. */
const storageKey = (userId: string) => `threadline:outbox:${userId}`;

function parseStored(raw: string | null | undefined): Stored[] {
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list)
      ? (list as Stored[]).filter((s) => typeof s?.queuedAt === 'string' && typeof s.payload?.clientId === 'string')
      : [];
  } catch {
    return [];
  }
}

/**
 * Posts waiting for the server's acknowledgement. Each keeps its clientId
 * across retries, so however often one is re-sent (timeouts, reconnects,
 * another server, a restart of the app) the server stores it once.
 */
export class Outbox {
  private readonly posts = new Map<string, { post: OutgoingPost; attempts: number; timer?: ReturnType<typeof setTimeout> }>();
  private readonly inFlight = new Set<string>();
  /** Whose posts these are: stored posts are written and read under this user's key (null: not yet known, or anonymous). */
  private owner: string | null = null;
  /** Storage writes in order, so an older list never overwrites a newer one. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: Send,
    private readonly storage: OutboxStorage,
    private readonly maxAgeMs: number,
    private readonly onRestored: (post: OutgoingPost, outcome: Comment | ThreadlineError) => void,
  ) {}

  add(payload: OutgoingPost['payload']): Promise<Comment> {
    return new Promise((resolve, reject) => {
      const post = { payload, queuedAt: new Date().toISOString(), restored: false, resolve, reject };
      this.posts.set(payload.clientId, { post, attempts: 0 });
      this.save();
      void this.attempt(payload.clientId);
    });
  }

  /**
   * The session's user is known (or changed): posts stored for them by an
   * earlier run join the queue and are sent; posts made before the session was
   * known are stored under their key from now on.
   */
  async setOwner(userId: string | null): Promise<void> {
    if (userId === this.owner) return;
    this.owner = userId;
    if (userId === null) return;
    let raw: string | null | undefined;
    try {
      raw = await this.storage.get(storageKey(userId));
    } catch {
      raw = undefined; // unreadable storage: nothing to restore, posting still works
    }
    if (this.owner !== userId) return;
    const cutoff = Date.now() - this.maxAgeMs;
    for (const stored of parseStored(raw)) {
      if (this.posts.has(stored.payload.clientId) || !(Date.parse(stored.queuedAt) >= cutoff)) continue;
      const post: OutgoingPost = {
        ...stored,
        restored: true,
        resolve: (comment) => this.onRestored(post, comment),
        reject: (error) => this.onRestored(post, error),
      };
      this.posts.set(stored.payload.clientId, { post, attempts: 0 });
    }
    this.save();
    this.flush();
  }

  /** Sends everything waiting now (after a reconnect). */
  flush(): void {
    for (const id of this.posts.keys()) void this.attempt(id);
  }

  pending(): OutgoingPost[] {
    return [...this.posts.values()].map((p) => p.post);
  }

  /** The client is closing: waiting callers get `error`; stored posts stay for the next run. */
  close(error: ThreadlineError): void {
    for (const { post, timer } of this.posts.values()) {
      clearTimeout(timer);
      post.reject(error);
    }
    this.posts.clear();
  }

  /** Drops every waiting post, also from storage (e.g. on sign-out). */
  discard(error: ThreadlineError): Promise<void> {
    this.close(error);
    this.save();
    return this.writes;
  }

  private save(): void {
    if (this.owner === null) return;
    const key = storageKey(this.owner);
    const cutoff = Date.now() - this.maxAgeMs;
    const list: Stored[] = [...this.posts.values()]
      .map(({ post }) => ({ payload: post.payload, queuedAt: post.queuedAt }))
      .filter((s) => Date.parse(s.queuedAt) >= cutoff)
      .slice(-MAX_STORED);
    this.writes = this.writes
      .then(() => (list.length > 0 ? this.storage.set(key, JSON.stringify(list)) : this.storage.remove(key)))
      // A full or blocked storage costs only persistence: the posts still wait in memory.
      .catch(ignore);
  }

  private async attempt(id: string): Promise<void> {
    const entry = this.posts.get(id);
    if (!entry || this.inFlight.has(id)) return;
    clearTimeout(entry.timer);
    this.inFlight.add(id);
    let outcome: 'done' | 'retry';
    try {
      outcome = await this.send(entry.post);
    } finally {
      this.inFlight.delete(id);
    }
    if (!this.posts.has(id)) return;
    if (outcome === 'done') {
      this.posts.delete(id);
      this.save();
      return;
    }
    const wait = BACKOFF_MS[Math.min(entry.attempts++, BACKOFF_MS.length - 1)]!;
    entry.timer = setTimeout(() => void this.attempt(id), wait * (0.75 + Math.random() / 2));
  }
}
