import type { RedisClient } from './redis.ts';
import type { AuthoredComment, Comment, CommentStatus, Mention, ModerationRecord, ThreadEventType, UserRef } from '../../contract/index.ts';
import type { Keys } from './keys.ts';
import type { Scripts } from './scripts.ts';
import { THREAD_FIELDS, toThread } from './threads.ts';
import { threadIdOfComment } from '../domain/ids.ts';
import type { Thread } from '../../contract/index.ts';

/** What every write script answers on success, `{'ok', offset, epoch, json, ...}`, as a result's common fields. */
function written(offset: string | number, epoch: string, json: string): { offset: number; epoch: string; comment: AuthoredComment } {
  return { offset: Number(offset), epoch, comment: JSON.parse(json) as AuthoredComment };
}

/** The outcome shared by the status and featuring scripts: `{'same', json}` or `{'err', reason}`. */
function unchangedOrRejected(status: string, detail: string | number): StatusResult {
  if (status === 'same') return { kind: 'unchanged', comment: JSON.parse(String(detail)) as AuthoredComment };
  const reason = String(detail);
  if (reason === 'decided') return { kind: 'rejected', reason: 'decided' };
  if (reason.startsWith('wrong_status:')) {
    return { kind: 'rejected', reason: 'wrong_status', current: reason.slice('wrong_status:'.length) as CommentStatus };
  }
  return { kind: 'rejected', reason: 'not_found' };
}

/** What the server knows about a comment beyond its public JSON. */
export interface CommentRecord {
  id: string;
  threadId: string;
  parentId: string | null;
  authorId: string;
  body: string;
  status: CommentStatus;
  createdAt: string;
  edits: number;
  /** The latest moderation decision, if any. */
  moderation: ModerationRecord | null;
  /** The comment as its author (and moderators) see it; readers see it only while visible. */
  comment: AuthoredComment;
}

/** What changing a comment's status needs: where it is and whose it is (its author's pending index). */
export type CommentRef = Pick<CommentRecord, 'threadId' | 'id' | 'authorId'>;

export interface NewComment {
  threadId: string;
  commentId: string;
  parentId: string | null;
  author: UserRef;
  body: string;
  mentions: Mention[];
  status: 'visible' | 'pending';
  epochCandidate: string;
  /** Absent: no idempotency (REST without clientId). */
  clientId: string | undefined;
  /** Automatic moderation's verdict, when it had something to say. */
  moderation: ModerationRecord | null;
  /** Moderators may post in locked threads. */
  ignoreLock: boolean;
  /** An import's own creation time (the demo seed's); live comments take Redis's clock. */
  createdMs?: number | undefined;
}

export type InsertResult =
  | { kind: 'stored'; offset: number; epoch: string; comment: AuthoredComment }
  | { kind: 'duplicate'; commentId: string }
  | { kind: 'rejected'; reason: 'thread_locked' | 'parent_not_found' | 'id_taken' };

export type EditResult =
  | { kind: 'stored'; offset: number; epoch: string; comment: AuthoredComment; previous: CommentStatus }
  | { kind: 'rejected'; reason: 'not_found' | 'not_editable' | 'too_many_edits' };

export type StatusResult =
  | { kind: 'changed'; offset: number; epoch: string; comment: AuthoredComment; eventType: ThreadEventType | null; previous: CommentStatus }
  | { kind: 'unchanged'; comment: AuthoredComment }
  | { kind: 'rejected'; reason: 'not_found' | 'wrong_status' | 'decided'; current?: CommentStatus };

/** Commenters a thread's participants index keeps, most recent first: what mention autocomplete reads. */
export const PARTICIPANTS_KEPT = 500;

/** Another moderator's decision younger than this makes yours a conflict (see lua/lib/moderator-guard.lua). */
const CONFLICT_WINDOW_MS = 10_000;

export interface PageRequest {
  order: 'oldest' | 'newest';
  limit: number;
  /** Creation time (ms) of the last comment of the previous page. */
  after: number | undefined;
}

export interface Page {
  thread: Thread;
  comments: Comment[];
  /** Tombstones of the comments that page replies answer but readers cannot see. */
  tombstones: Comment[];
  nextCursor: string | null;
}

/** How far up a chain of gone comments a page looks for the place of its replies. */
const TOMBSTONE_DEPTH = 8;

export interface LogLimits {
  maxEvents: number;
  ttlSeconds: number;
  idempotencyTtlSeconds: number;
}

/** Where a thread's live events are published (see adapter-protocol.ts). */
export type LiveTarget = (threadId: string) => { channel: string; prefix: string; suffix: string };

export class CommentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly limits: LogLimits,
    private readonly live: LiveTarget,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private liveArgs(threadId: string): string[] {
    const { channel, prefix, suffix } = this.live(threadId);
    return [channel, prefix, suffix];
  }

  async insert(c: NewComment): Promise<InsertResult> {
    const k = this.keys.thread;
    const t = c.threadId;
    const commentKey = k.comment(t, c.commentId);
    const reply = await this.scripts.run(
      this.redis,
      'post-comment',
      [
        k.meta(t),
        k.log(t),
        k.visible(t),
        k.participants(t),
        commentKey,
        k.idempotency(t, c.author.id, c.clientId ?? '-'),
        c.parentId ? k.comment(t, c.parentId) : commentKey,
        k.pending(t),
        k.pendingOf(t, c.author.id),
      ],
      [
        t,
        c.commentId,
        c.parentId ?? '',
        c.author.id,
        c.author.handle,
        c.author.name,
        c.body,
        JSON.stringify(c.mentions),
        c.status,
        c.epochCandidate,
        this.limits.maxEvents,
        this.limits.ttlSeconds,
        c.clientId ? this.limits.idempotencyTtlSeconds : 0,
        ...this.liveArgs(t),
        c.moderation ? JSON.stringify(c.moderation) : '',
        c.ignoreLock ? '1' : '0',
        PARTICIPANTS_KEPT,
        c.createdMs ?? '',
      ],
    );
    const [status, a, b, json] = reply as [string, string | number, string, string];
    if (status === 'ok') return { kind: 'stored', ...written(a, b, json) };
    if (status === 'dup') return { kind: 'duplicate', commentId: String(a) };
    return { kind: 'rejected', reason: a as 'thread_locked' | 'parent_not_found' | 'id_taken' };
  }

  /**
   * Stores an edit; with `automod`, the automatic moderation of the new text
   * is stored in the same step (`hold`: the comment becomes pending).
   */
  async edit(
    { threadId, id: commentId, authorId }: CommentRef,
    change: { body: string; mentions: Mention[]; editedAt: Date; maxEdits: number; automod: ModerationRecord | null; hold: boolean },
  ): Promise<EditResult> {
    const k = this.keys.thread;
    const reply = await this.scripts.run(
      this.redis,
      'edit-comment',
      [
        k.meta(threadId),
        k.log(threadId),
        k.comment(threadId, commentId),
        k.visible(threadId),
        k.pending(threadId),
        k.pendingOf(threadId, authorId),
      ],
      [
        threadId,
        change.body,
        JSON.stringify(change.mentions),
        change.editedAt.toISOString(),
        this.limits.maxEvents,
        this.limits.ttlSeconds,
        change.maxEdits,
        ...this.liveArgs(threadId),
        change.automod ? JSON.stringify(change.automod) : '',
        change.hold ? '1' : '0',
      ],
    );
    const [status, a, b, json, previous] = reply as [string, string | number, string, string, string];
    if (status === 'ok') return { kind: 'stored', ...written(a, b, json), previous: previous as CommentStatus };
    return { kind: 'rejected', reason: a as 'not_found' | 'not_editable' | 'too_many_edits' };
  }

  /**
   * Moves a comment to `target` if its status is one of `allowedFrom`;
   * `moderation` (who or what decided, and why) is recorded with the change.
   */
  async setStatus(
    { threadId, id: commentId, authorId }: CommentRef,
    target: CommentStatus,
    allowedFrom: CommentStatus[],
    moderation?: ModerationRecord,
  ): Promise<StatusResult> {
    const moderator = moderation?.by.kind === 'user' ? moderation.by.id : '';
    const k = this.keys.thread;
    const reply = await this.scripts.run(
      this.redis,
      'set-comment-status',
      [
        k.meta(threadId),
        k.log(threadId),
        k.visible(threadId),
        k.comment(threadId, commentId),
        k.pending(threadId),
        k.pendingOf(threadId, authorId),
      ],
      [
        threadId,
        target,
        allowedFrom.join(','),
        this.limits.maxEvents,
        this.limits.ttlSeconds,
        ...this.liveArgs(threadId),
        moderation ? JSON.stringify(moderation) : '',
        moderator,
        this.now().getTime(),
        CONFLICT_WINDOW_MS,
      ],
    );
    const [status, a, b, json, eventType, previous] = reply as [string, string | number, string, string, string, string];
    if (status === 'ok') {
      return {
        kind: 'changed',
        ...written(a, b, json),
        eventType: eventType ? (eventType as ThreadEventType) : null,
        previous: previous as CommentStatus,
      };
    }
    return unchangedOrRejected(status, a);
  }

  /** Records a moderation decision that changed no status (flags or reports dismissed). */
  async setModeration(threadId: string, commentId: string, moderation: ModerationRecord): Promise<void> {
    await this.redis.hset(this.keys.thread.comment(threadId, commentId), 'moderation', JSON.stringify(moderation));
  }

  /** Features (true) or unfeatures a comment; readers see `comment.updated`. */
  async setFeatured(threadId: string, commentId: string, featured: boolean, moderation: ModerationRecord): Promise<StatusResult> {
    const k = this.keys.thread;
    const reply = await this.scripts.run(
      this.redis,
      'set-comment-featured',
      [k.meta(threadId), k.log(threadId), k.comment(threadId, commentId)],
      [
        threadId,
        featured ? '1' : '0',
        this.limits.maxEvents,
        this.limits.ttlSeconds,
        ...this.liveArgs(threadId),
        JSON.stringify(moderation),
        moderation.by.kind === 'user' ? moderation.by.id : '',
        this.now().getTime(),
        CONFLICT_WINDOW_MS,
      ],
    );
    const [status, a, b, json] = reply as [string, string | number, string, string];
    if (status === 'ok') return { kind: 'changed', ...written(a, b, json), eventType: null, previous: 'visible' };
    return unchangedOrRejected(status, a);
  }

  /** A reader's own comments in this thread that wait for a moderator (oldest first, at most `limit`). */
  async pendingBy(threadId: string, authorId: string, limit = 100): Promise<AuthoredComment[]> {
    const ids = await this.redis.zrange(this.keys.thread.pendingOf(threadId, authorId), 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.thread.comment(threadId, id), 'status', 'json');
    const mine: AuthoredComment[] = [];
    for (const [err, row] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      const [status, json] = row as (string | null)[];
      if (status === 'pending' && json) mine.push(JSON.parse(json) as AuthoredComment);
    }
    return mine;
  }

  async get(threadId: string, commentId: string): Promise<CommentRecord | null> {
    const [id, parentId, authorId, body, status, createdAt, edits, json, moderation] = await this.redis.hmget(
      this.keys.thread.comment(threadId, commentId),
      'id',
      'parentId',
      'authorId',
      'body',
      'status',
      'createdAt',
      'edits',
      'json',
      'moderation',
    );
    if (!id || !json) return null;
    return {
      id,
      threadId,
      parentId: parentId || null,
      authorId: authorId ?? '',
      body: body ?? '',
      status: status as CommentStatus,
      createdAt: createdAt ?? '',
      edits: Number(edits ?? 0),
      moderation: moderation ? (JSON.parse(moderation) as ModerationRecord) : null,
      comment: JSON.parse(json) as AuthoredComment,
    };
  }

  /**
   * One page of readable comments. The thread's offset is read in the same
   * transaction as the page's ids, so joining with `since` = that offset
   * delivers every change the page does not show (and at worst repeats a few
   * that it does, which clients drop by offset).
   */
  async page(threadId: string, req: PageRequest): Promise<Page> {
    const k = this.keys.thread;
    const visible = k.visible(threadId);
    const tx = this.redis
      .multi()
      .hmget(k.meta(threadId), ...THREAD_FIELDS)
      .zcard(visible);
    if (req.order === 'oldest') {
      tx.zrangebyscore(visible, req.after === undefined ? '-inf' : `(${req.after}`, '+inf', 'WITHSCORES', 'LIMIT', 0, req.limit + 1);
    } else {
      tx.zrevrangebyscore(visible, req.after === undefined ? '+inf' : `(${req.after}`, '-inf', 'WITHSCORES', 'LIMIT', 0, req.limit + 1);
    }
    const results = (await tx.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    const meta = results[0]![1] as (string | null)[];
    const count = results[1]![1] as number;
    const flat = results[2]![1] as string[];

    const ids: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      ids.push(flat[i]!);
      scores.push(Number(flat[i + 1]));
    }
    const hasMore = ids.length > req.limit;
    const pageIds = ids.slice(0, req.limit);

    const comments: Comment[] = [];
    if (pageIds.length > 0) {
      const pipeline = this.redis.pipeline();
      for (const id of pageIds) pipeline.hget(k.comment(threadId, id), 'json');
      for (const [err, json] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        if (typeof json !== 'string') continue;
        const comment = JSON.parse(json) as Comment;
        // Removed between the two reads: its removal event is after the page's offset.
        if (comment.status === 'visible') comments.push(comment);
      }
    }
    return {
      thread: toThread(threadId, meta, count),
      comments,
      tombstones: await this.tombstonesFor(threadId, comments),
      nextCursor: hasMore ? String(scores[req.limit - 1]) : null,
    };
  }

  /**
   * The reader form of every parent (and its parents) of `comments` that is
   * not visible, so a reply keeps its place after a reload. Built here from
   * id, parent, status and times only: body and author are never read.
   */
  private async tombstonesFor(threadId: string, comments: Comment[]): Promise<Comment[]> {
    const k = this.keys.thread;
    const seen = new Set(comments.map((c) => c.id));
    const out: Comment[] = [];
    let wanted = [...new Set(comments.flatMap((c) => (c.parentId && !seen.has(c.parentId) ? [c.parentId] : [])))];
    for (let depth = 0; wanted.length > 0 && depth < TOMBSTONE_DEPTH; depth++) {
      const pipeline = this.redis.pipeline();
      for (const id of wanted) pipeline.hmget(k.comment(threadId, id), 'status', 'parentId', 'createdAt', 'offset');
      const next: string[] = [];
      const rows = (await pipeline.exec()) ?? [];
      rows.forEach(([err, row], i) => {
        if (err) throw err;
        const [status, parentId, createdAt, offset] = row as (string | null)[];
        const id = wanted[i]!;
        seen.add(id);
        // Visible parents live on another page; a missing one has nothing to show.
        if (!status || status === 'visible' || !createdAt) return;
        out.push({
          id,
          threadId,
          parentId: parentId || null,
          author: null,
          body: '',
          mentions: [],
          status: status as Comment['status'],
          createdAt,
          editedAt: null,
          featured: false,
          offset: Number(offset ?? 0),
        });
        if (parentId && !seen.has(parentId)) next.push(parentId);
      });
      wanted = [...new Set(next)];
    }
    return out;
  }

  /**
   * Who was told about a comment, as far as its hash knows: its author, its
   * parent's author and the users it mentions (raw, also for a deleted
   * comment, whose public form shows none). Null if it does not exist.
   */
  async audience(
    threadId: string,
    commentId: string,
  ): Promise<{ authorId: string; parentAuthorId: string | null; mentionedIds: string[] } | null> {
    const k = this.keys.thread;
    const [authorId, parentId, mentions] = await this.redis.hmget(k.comment(threadId, commentId), 'authorId', 'parentId', 'mentions');
    if (!authorId) return null;
    const parentAuthorId = parentId ? await this.redis.hget(k.comment(threadId, parentId), 'authorId') : null;
    const mentionedIds = (JSON.parse(mentions || '[]') as Mention[]).map((m) => m.userId);
    return { authorId, parentAuthorId, mentionedIds };
  }

  /** Blanks body, mentions and author name of the author's comment (see erase-comment-1.lua). */
  async erase({ threadId, id, authorId }: CommentRef): Promise<'ok' | 'not_found' | 'not_author'> {
    const [status, reason] = (await this.scripts.run(
      this.redis,
      'erase-comment',
      [this.keys.thread.comment(threadId, id)],
      [threadId, authorId],
    )) as [string, string];
    return status === 'ok' ? 'ok' : (reason as 'not_found' | 'not_author');
  }

  async removeParticipant(threadId: string, userId: string): Promise<void> {
    await this.redis.zrem(this.keys.thread.participants(threadId), userId);
  }

  /**
   * Comments as their author wrote them (status, body and mentions as stored,
   * also of a deleted or removed comment), for a data export. Missing ids
   * and other authors' comments are skipped. One pipelined round trip.
   */
  async asWritten(authorId: string, commentIds: string[]): Promise<Comment[]> {
    if (commentIds.length === 0) return [];
    // Not a pipeline: the comments live in their threads' Cluster slots (the connection auto-pipelines these, per node).
    const rows = await Promise.all(
      commentIds.map((id) => this.redis.hmget(this.keys.thread.comment(threadIdOfComment(id), id), 'authorId', 'json', 'body', 'mentions')),
    );
    const out: Comment[] = [];
    for (const [author, json, body, mentions] of rows) {
      if (author !== authorId || !json) continue;
      out.push({ ...(JSON.parse(json) as Comment), body: body ?? '', mentions: JSON.parse(mentions || '[]') as Mention[] });
    }
    return out;
  }

  /**
   * Most recent commenters in a thread, newest first, among the last `limit`:
   * only those with a comment readers can see there now. Someone whose
   * comments here were all deleted, removed or held is not offered: that
   * would tell readers they had written something here.
   */
  async recentParticipants(threadId: string, limit: number): Promise<string[]> {
    const k = this.keys.thread;
    const ids = await this.redis.zrevrange(k.participants(threadId), 0, limit - 1);
    if (ids.length === 0) return [];
    const counts = await this.redis.hmget(k.meta(threadId), ...ids.map((id) => `v:${id}`));
    return ids.filter((_, i) => Number(counts[i] ?? 0) > 0);
  }
}
