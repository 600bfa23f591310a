import { adminPlans } from './follow-up/admin.ts';
import { commentPlans } from './follow-up/comments.ts';
import type { Effect, FollowUpDeps, Plans, Step } from './follow-up/effects.ts';
import type { Outcome } from './follow-up/outcome.ts';

export type { FollowUpDeps } from './follow-up/effects.ts';
export type { Outcome } from './follow-up/outcome.ts';

// Typed per kind: an outcome without a plan does not compile.
const PLANS: Plans<Outcome['kind']> = { ...commentPlans, ...adminPlans };
const plan = (deps: FollowUpDeps, o: Outcome): Step[] => (PLANS[o.kind] as (deps: FollowUpDeps, o: Outcome) => Step[])(deps, o);

/**
 * What follows a write, called once by the write that made it: the moderators'
 * feed, the audit log, moderation queues and user counters, jobs. The plans
 * (follow-up/comments.ts, follow-up/admin.ts) say which for each outcome; the
 * effects of a step start together, in the order listed (the feed keeps its
 * order), and share a round trip.
 *
 * One error policy. The write is stored, so no failure cuts the others short:
 * every effect is attempted, and every failure is logged and counted
 * (threadline_follow_up_failures_total, by effect). Notices (feed, the
 * author's tabs, jobs) never fail the write: they handle their own failures,
 * and jobs keep the outbox guarantee (after-write.ts). If a record failed
 * (audit entry, queue, counter), the call then fails with it, as it did
 * before, so that a retry repairs it: the screen worker retries its job.
 */
export async function followUp(deps: FollowUpDeps, outcome: Outcome): Promise<void> {
  let failed: { err: unknown } | undefined;
  for (const step of plan(deps, outcome)) {
    const effects = step.filter((e): e is Effect => !!e);
    // async: a run that throws at once is a rejection like any other, and the rest still start.
    const settled = await Promise.allSettled(effects.map(([, run]) => (async () => run())()));
    for (const [i, s] of settled.entries()) {
      if (s.status === 'fulfilled') continue;
      const effect = effects[i]![0];
      deps.metrics.followUpFailures.inc({ effect });
      deps.log.error({ err: s.reason, outcome: outcome.kind, effect }, 'a follow-up of a stored write failed');
      failed ??= { err: s.reason };
    }
  }
  if (failed) throw failed.err;
}
