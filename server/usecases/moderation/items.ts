import {
  commentLink,
  type AuthorHistory,
  type AuthoredComment,
  type ModerationItem,
  type ReportReason,
  type ThreadRef,
} from '../../../contract/index.ts';
import type { Actor, Deps } from '../../context.ts';
import { threadIdOfComment } from '../../domain/ids.ts';
import { errors } from '../../errors.ts';
import type { CommentRecord } from '../../store/comments.ts';
import { actingModerator, type ActingDeps } from './acting.ts';

/** The ports this use case uses. */
export type ModerationItemDeps = Pick<Deps, 'store'> & ActingDeps;

// Moderators see the text even of removed and held comments.
const asModeratorSees = (r: CommentRecord): AuthoredComment => ({ ...r.comment, body: r.body });

/**
 * Comments as moderators judge them, in the order given: each with its
 * thread's title and url, the comment it answers, its author's history, its
 * reports and claim. Threads and authors shared by several items are read once.
 */
export async function describeItems(deps: Pick<Deps, 'store'>, records: CommentRecord[]): Promise<ModerationItem[]> {
  const { moderation, comments, threads } = deps.store;
  const ids = records.map((r) => r.id);
  const once = <T>(keys: string[], read: (key: string) => Promise<T>) =>
    Promise.all([...new Set(keys)].map(async (key) => [key, await read(key)] as const)).then((pairs) => new Map(pairs));
  const [claims, reports, threadRefs, histories, parents] = await Promise.all([
    moderation.claims(ids),
    Promise.all(ids.map((id) => moderation.reports(id))),
    once<ThreadRef>(
      records.map((r) => r.threadId),
      async (id) => {
        const { title, url } = await threads.get(id);
        return { id, title, url };
      },
    ),
    once<AuthorHistory>(
      records.map((r) => r.authorId),
      (id) => moderation.authorHistory(id),
    ),
    once<CommentRecord | null>(
      records.flatMap((r) => (r.parentId ? [r.parentId] : [])),
      (id) => comments.get(threadIdOfComment(id), id),
    ),
  ]);
  return records.map((record, i) => {
    const reasons: Partial<Record<ReportReason, number>> = {};
    for (const r of reports[i]!) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    const thread = threadRefs.get(record.threadId)!;
    const parent = record.parentId ? parents.get(record.parentId) : null;
    return {
      comment: asModeratorSees(record),
      thread,
      parent: parent ? asModeratorSees(parent) : null,
      author: histories.get(record.authorId)!,
      link: thread.url ? commentLink(thread.url, record.id) : null,
      moderation: record.moderation,
      reports: { count: reports[i]!.length, reasons, notes: reports[i]!.map((r) => r.note).filter((n): n is string => !!n) },
      claim: claims[i] ?? null,
    };
  });
}

/** One comment as moderators judge it, whether or not it is in a queue (the live feed opens items with it). */
export async function getModerationItem(
  deps: ModerationItemDeps,
  actor: Actor,
  input: { commentId: string },
): Promise<{ item: ModerationItem }> {
  const [, record] = await Promise.all([
    actingModerator(deps, actor),
    deps.store.comments.get(threadIdOfComment(input.commentId), input.commentId),
  ]);
  if (!record) throw errors.notFound('Comment');
  const [item] = await describeItems(deps, [record]);
  return { item: item! };
}
