import type {
  CommentPage,
  ErrorBody,
  ListCommentsQuery,
  ModerationItem,
  NotificationPage,
  QueueName,
  QueuePage,
  ReportReason,
  Thread,
  UserRef,
} from '../../contract/index.ts';
import { ThreadlineError } from './errors.ts';

export interface RestOptions {
  baseUrl: string;
  token: () => string | undefined;
  /** Default: the global fetch. */
  fetch?: typeof fetch | undefined;
}

/*
 * The SDK trusts its own server's responses (the server validates with the
 * contract's schemas) and imports only the contract's types: that keeps zod
 * out of the browser bundle, a several-fold smaller widget.js.
 */
function isErrorBody(body: unknown): body is { error: ErrorBody } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The few REST calls the SDK and the moderation console make (pages, reports, the inbox, queues); comment writes go over the socket. */
export class RestClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: RestOptions) {
    // Browsers refuse a fetch called as a method of another object ("Illegal invocation").
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async page(threadId: string, query: ListCommentsQuery): Promise<CommentPage> {
    const params = new URLSearchParams({ limit: String(query.limit), order: query.order });
    if (query.cursor) params.set('cursor', query.cursor);
    const page = (await this.call(`/api/threads/${encodeURIComponent(threadId)}/comments?${params}`)) as CommentPage;
    if (!Array.isArray(page?.comments) || typeof page.offset !== 'number') {
      throw new ThreadlineError({ code: 'internal', message: 'Unexpected response from the server' });
    }
    return page;
  }

  /** Reports a comment to the moderators (once per reader; a repeat answers reported: false). */
  async report(commentId: string, reason: ReportReason, note?: string): Promise<{ reported: boolean; reports: number }> {
    const body = JSON.stringify(note === undefined ? { reason } : { reason, note });
    return (await this.call(`/api/comments/${encodeURIComponent(commentId)}/report`, body)) as { reported: boolean; reports: number };
  }

  async participants(threadId: string, prefix: string): Promise<UserRef[]> {
    const params = new URLSearchParams({ prefix });
    return ((await this.call(`/api/threads/${encodeURIComponent(threadId)}/participants?${params}`)) as { users: UserRef[] }).users;
  }

  async notifications(query: { cursor?: string; limit?: number }): Promise<NotificationPage> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 20) });
    if (query.cursor) params.set('cursor', query.cursor);
    return (await this.call(`/api/notifications?${params}`)) as NotificationPage;
  }

  async markRead(which: string[] | 'all'): Promise<number> {
    const body = JSON.stringify(which === 'all' ? { all: true } : { ids: which });
    return ((await this.call('/api/notifications/read', body)) as { unread: number }).unread;
  }

  /** A moderation queue page (moderators), site-wide or one thread's. */
  async queue(name: QueueName, query: { threadId?: string; limit?: number }): Promise<QueuePage> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 25) });
    if (query.threadId) params.set('threadId', query.threadId);
    return (await this.call(`/api/moderation/queues/${name}?${params}`)) as QueuePage;
  }

  /** A thread's summary (title, url, counts); a thread nobody has written to reads as empty. */
  async thread(threadId: string): Promise<{ thread: Thread }> {
    return (await this.call(`/api/threads/${encodeURIComponent(threadId)}`)) as { thread: Thread };
  }

  /** One comment as moderators judge it (moderators): thread, parent, author history, reports, claim. */
  async moderationItem(commentId: string): Promise<{ item: ModerationItem }> {
    return (await this.call(`/api/moderation/comments/${encodeURIComponent(commentId)}`)) as { item: ModerationItem };
  }

  /** GET, or POST when there is a JSON body. */
  private async call(path: string, jsonBody?: string): Promise<unknown> {
    const token = this.opts.token();
    let res: Response;
    try {
      res = await this.fetch(`${this.opts.baseUrl}${path}`, {
        headers: {
          accept: 'application/json',
          ...(jsonBody === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(jsonBody === undefined ? {} : { method: 'POST', body: jsonBody }),
      });
    } catch (err) {
      throw new ThreadlineError({ code: 'unavailable', message: `Could not reach the server: ${String(err)}` });
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.ok) return body;
    throw new ThreadlineError(isErrorBody(body) ? body.error : { code: 'unavailable', message: `HTTP ${res.status}` });
  }
}
