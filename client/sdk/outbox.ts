import type { Comment, EventRequest } from '../../contract/index.ts';
import type { ThreadlineError } from './errors.ts';

export interface OutgoingPost {
  payload: EventRequest<'comment:post'>;
  resolve(comment: Comment): void;
  reject(error: ThreadlineError): void;
}

type Send = (post: OutgoingPost) => Promise<'done' | 'retry'>;

const BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000, 8_000];

/**
 * Posts waiting for the server's acknowledgement. Each keeps its clientId
 * across retries, so however often one is re-sent (timeouts, reconnects,
 * another server) the server stores it once.
 */
export class Outbox {
  private readonly posts = new Map<string, { post: OutgoingPost; attempts: number; timer?: ReturnType<typeof setTimeout> }>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly send: Send) {}

  add(payload: OutgoingPost['payload']): Promise<Comment> {
    return new Promise((resolve, reject) => {
      this.posts.set(payload.clientId, { post: { payload, resolve, reject }, attempts: 0 });
      void this.attempt(payload.clientId);
    });
  }

  /** Sends everything waiting now (after a reconnect). */
  flush(): void {
    for (const id of this.posts.keys()) void this.attempt(id);
  }

  pending(): OutgoingPost[] {
    return [...this.posts.values()].map((p) => p.post);
  }

  close(error: ThreadlineError): void {
    for (const { post, timer } of this.posts.values()) {
      clearTimeout(timer);
      post.reject(error);
    }
    this.posts.clear();
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
      return;
    }
    const wait = BACKOFF_MS[Math.min(entry.attempts++, BACKOFF_MS.length - 1)]!;
    entry.timer = setTimeout(() => void this.attempt(id), wait * (0.75 + Math.random() / 2));
  }
}
