import type { AuditEntry, AuthoredComment, CommentStatus, Decider, ModerationRecord, Reason, Thread } from '../../contract/index.ts';
import type { Store } from '../store/index.ts';
import type { ModFeed } from './feed.ts';
import { errors } from '../errors.ts';

/** The ports this use case uses. */
export interface DecisionDeps {
  store: Store;
  modFeed: ModFeed;
  now: () => Date;
}

/**
 * Every moderation decision, a person's or an automatic rule's, lands in the
 * audit log and on the moderators' live feed, and may change queue counts.
 */
export async function recordDecision(
  deps: DecisionDeps,
  d: {
    by: Decider;
    action: string;
    target: AuditEntry['target'];
    reasons: Reason[];
    before: CommentStatus | null;
    after: CommentStatus | null;
    comment?: AuthoredComment;
    thread?: Thread;
  },
): Promise<AuditEntry> {
  const entry = await deps.store.moderation.audit(
    { by: d.by, action: d.action, target: d.target, reasons: d.reasons, before: d.before, after: d.after },
    deps.now(),
  );
  await deps.modFeed.publish(
    { type: 'action', entry, ...(d.comment ? { comment: d.comment } : {}), ...(d.thread ? { thread: d.thread } : {}) },
    d.target.threadId,
  );
  deps.modFeed.queuesChanged();
  return entry;
}

const PAST: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  restore: 'restored',
  feature: 'featured',
  unfeature: 'unfeatured',
  hold: 'held',
};

/**
 * Someone else decided first. A repeat of your own decision is fine (a
 * retried request); anyone else's gets `conflict` saying what happened.
 */
export function afterTheFact(
  actorId: string,
  action: string,
  current: { moderation: ModerationRecord | null; comment: AuthoredComment; status: CommentStatus },
) {
  const m = current.moderation;
  if (m && m.by.kind === 'user' && m.by.id === actorId && m.action === action) return { comment: current.comment };
  const who = m ? (m.by.kind === 'user' ? `@${m.by.handle}` : `automatic moderation (${m.by.name})`) : 'someone';
  const what = m?.action ? (PAST[m.action] ?? m.action) : `moved to ${current.status}`;
  throw errors.conflict(`Already ${what} by ${who}${m ? ` at ${m.at}` : ''}; the comment is now ${current.status}`, {
    status: current.status,
    moderation: m,
  });
}
