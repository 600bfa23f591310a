import type { AuthoredComment, CommentStatus, ModEvent, ModerationRecord } from '../../../contract/index.ts';
import type { Deps } from '../../context.ts';
import { recordDecision, type DecisionDeps } from '../../moderation/decisions.ts';
import type { OutboxEntry } from '../../store/outbox.ts';
import { afterWrite, type AfterWriteDeps } from '../after-write.ts';
import type { Outcome } from './outcome.ts';

/**
 * The ports the follow-ups use (declared here, where they are used, and re-exported by follow-up.ts):
 * no tokens, limits or word lists, so the screen worker's hold runs on CoreDeps.
 */
export type FollowUpDeps = Pick<Deps, 'store' | 'modFeed' | 'emitter' | 'log' | 'metrics' | 'now'> & DecisionDeps & AfterWriteDeps;

/**
 * One follow-up, named for the logs and the failure metric. Notices: feed, author (their own tabs),
 * readers, access, counts, jobs. Records: decision (audit entry), queue (moderation queues), user (counters).
 */
export type Effect = readonly [name: EffectName, run: () => unknown];
type EffectName = 'feed' | 'author' | 'readers' | 'access' | 'counts' | 'jobs' | 'decision' | 'queue' | 'user';
/** Effects that start together, in this order; falsy entries are skipped. A plan's steps run one after another. */
export type Step = (Effect | null | false | undefined)[];
/** Each outcome's follow-ups, in the order (and round trips) they had when each write composed them itself. */
export type Plans<K extends Outcome['kind']> = { [P in K]: (deps: FollowUpDeps, o: Extract<Outcome, { kind: P }>) => Step[] };

export const feed = (deps: FollowUpDeps, event: ModEvent, threadId: string | undefined): Effect => [
  'feed',
  () => deps.modFeed.publish(event, threadId),
];

/** Audit log, then the feed (the entry), then queue counts: see moderation/decisions.ts. */
export const decision = (deps: FollowUpDeps, d: Parameters<typeof recordDecision>[1]): Effect => [
  'decision',
  () => recordDecision(deps, d),
];

export const jobs = (deps: FollowUpDeps, comment: AuthoredComment, entry: OutboxEntry | null): Effect | null =>
  entry && ['jobs', () => afterWrite(deps, comment, entry)];

/**
 * A comment automatic moderation (or a hold) put up for review: onto the
 * pending or flagged queue and into the audit log; the author of a newly
 * held comment is told. `before`: its status before, null for a new comment.
 */
export function review(deps: FollowUpDeps, comment: AuthoredComment, moderation: ModerationRecord, before: CommentStatus | null): Effect[] {
  const queue = comment.status === 'pending' ? 'pending' : 'flagged';
  const effects: Effect[] = [
    ['queue', () => deps.store.moderation.enqueue(queue, comment.id, comment.threadId, Date.parse(moderation.at))],
    decision(deps, {
      by: moderation.by,
      action: moderation.action ?? queue,
      target: { commentId: comment.id, threadId: comment.threadId, userId: comment.author.id },
      reasons: moderation.reasons,
      before,
      after: comment.status,
      comment,
    }),
  ];
  if (queue === 'pending' && before !== 'pending') {
    effects.push(
      ['author', () => deps.modFeed.tellAuthor(comment)],
      ['user', () => deps.store.moderation.noteAuthorOutcome(comment.author.id, 'held')],
    );
  }
  return effects;
}

/** A hold once stored (by holdComment, or by an edit): reviewed as above, and on the moderators' feed. */
export function hold(deps: FollowUpDeps, comment: AuthoredComment, moderation: ModerationRecord, previous: CommentStatus): Effect[] {
  return [...review(deps, comment, moderation, previous), feed(deps, { type: 'hold', comment, moderation }, comment.threadId)];
}
