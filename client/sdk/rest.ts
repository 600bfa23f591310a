import { CommentPageSchema, HttpErrorSchema, type CommentPage } from '../contract/index.ts';
import { ThreadlineError } from './errors.ts';

export interface RestOptions {
  baseUrl: string;
  token: () => string | undefined;
  fetch: typeof fetch;
}

/** The few REST calls the SDK makes (reading pages); writes go over the socket. */
export class RestClient {
  constructor(private readonly opts: RestOptions) {}

  async page(threadId: string, query: { limit: number; order: 'newest' | 'oldest'; cursor?: string }): Promise<CommentPage> {
    const params = new URLSearchParams({ limit: String(query.limit), order: query.order });
    if (query.cursor) params.set('cursor', query.cursor);
    return CommentPageSchema.parse(await this.get(`/api/threads/${encodeURIComponent(threadId)}/comments?${params}`));
  }

  private async get(path: string): Promise<unknown> {
    const token = this.opts.token();
    let res: Response;
    try {
      res = await this.opts.fetch(`${this.opts.baseUrl}${path}`, {
        headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    } catch (err) {
      throw new ThreadlineError({ code: 'unavailable', message: `Could not reach the server: ${String(err)}` });
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.ok) return body;
    const parsed = HttpErrorSchema.safeParse(body);
    throw new ThreadlineError(parsed.success ? parsed.data.error : { code: 'unavailable', message: `HTTP ${res.status}` });
  }
}
