import { QUEUES } from '../../../contract/index.ts';
import { decision, feed, hold, jobs, review, type Effect, type FollowUpDeps, type Plans, type Step } from './effects.ts';
import type { Outcome } from './outcome.ts';

type Moderated = Extract<Outcome, { kind: 'moderated' }>;

/** The follow-ups of writes to one comment. */
export const commentPlans: Plans<'posted' | 'refused' | 'edited' | 'held' | 'reported' | 'moderated' | 'deleted'> = {
  // The author's counters were written with the comment (post-comment.ts).
  posted: (deps, { comment, moderation, jobs: entry }) => [
    [
      feed(deps, { type: 'comment', change: 'created', comment, moderation }, comment.threadId),
      jobs(deps, comment, entry),
      ...(moderation ? review(deps, comment, moderation, null) : []),
    ],
  ],

  refused: (deps, o) => [
    [
      decision(deps, {
        by: { kind: 'system', name: 'automod' },
        action: 'refuse',
        target: { threadId: o.threadId, userId: o.userId },
        reasons: o.reasons,
        before: null,
        after: null,
      }),
    ],
  ],

  edited: (deps, { comment, automod, moderation, previous, jobs: entry }) => {
    const newlyHeld = comment.status === 'pending' && previous === 'visible';
    return [
      [
        feed(deps, { type: 'comment', change: 'edited', comment, moderation: automod ?? moderation }, comment.threadId),
        ...(automod ? (newlyHeld ? hold(deps, comment, automod, previous) : review(deps, comment, automod, previous)) : []),
        // Screened again; someone newly mentioned hears about it (those already told are not told twice).
        comment.status === 'visible' && jobs(deps, comment, entry),
      ],
    ];
  },

  held: (deps, o) => [hold(deps, o.comment, o.moderation, o.previous)],

  // In the reported queue before moderators hear of it.
  reported: (deps, { comment, reason, note, reporter, reports, at }) => [
    [['queue', () => deps.store.moderation.enqueue('reported', comment.id, comment.threadId, at.getTime())]],
    [
      feed(deps, { type: 'report', comment, reason, note, reporter, reports }, comment.threadId),
      ['counts', () => deps.modFeed.queuesChanged()],
    ],
  ],

  // The queues move before the decision is audited and published.
  moderated: (deps, o) => [
    queueMoves(deps, o),
    [
      decision(deps, {
        by: o.decision.by,
        action: o.action,
        target: { commentId: o.comment.id, threadId: o.comment.threadId, userId: o.comment.author.id },
        reasons: o.decision.reasons,
        before: o.before,
        after: o.comment.status,
        comment: o.comment,
      }),
    ],
  ],

  // Nothing is left to moderate: a held, flagged or reported comment leaves the queues with its author's delete.
  deleted: (deps, { comment }) => [
    [['queue', async () => (await deps.store.moderation.dequeue(QUEUES, comment.id, comment.threadId)) && deps.modFeed.queuesChanged()]],
  ],
};

function queueMoves(deps: FollowUpDeps, { action, comment, previous, jobs: entry }: Moderated): Step {
  const { moderation, users } = deps.store;
  const { id, threadId } = comment;
  if (action === 'reject') {
    const effects: Effect[] = [
      ['queue', () => moderation.dequeue(['pending', 'flagged', 'reported'], id, threadId)],
      ['queue', () => moderation.enqueue('rejected', id, threadId, deps.now().getTime())],
      ['user', () => moderation.noteAuthorOutcome(comment.author.id, 'rejected')],
    ];
    // Readers never saw a pending comment; its author should hear it was turned down.
    if (previous === 'pending') effects.push(['author', () => deps.modFeed.tellAuthor(comment)]);
    return effects;
  }
  // Approving a published comment cleared its flags and reports in the write itself.
  if ((action !== 'approve' && action !== 'restore') || previous === comment.status) return [];
  return [
    ['queue', () => moderation.dequeue(QUEUES, id, threadId)],
    ['queue', () => moderation.clearReports(id)],
    action === 'approve' && ['user', () => users.notePublished(comment.author.id)],
    action === 'approve' && jobs(deps, comment, entry),
  ];
}
