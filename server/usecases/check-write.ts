import type { Mention, ModerationRecord } from '../../contract/index.ts';
import type { AuthUser, Deps, Origin } from '../context.ts';
import type { PostingAttempt, TakenLimits } from '../limits/posting.ts';
import type { PostContext } from '../store/preflight.ts';
import { automodRecord, moderate } from '../moderation/pipeline.ts';
import { listForJobs, type AfterWriteDeps } from './after-write.ts';
import { followUp, type FollowUpDeps } from './follow-up.ts';
import { resolveMentions, type ResolveMentionsDeps } from './resolve-mentions.ts';

/** The ports this check uses. */
export type CheckWriteDeps = Pick<Deps, 'store' | 'limits' | 'wordlists' | 'now'> & ResolveMentionsDeps & AfterWriteDeps & FollowUpDeps;

type Status = 'visible' | 'pending';

export interface WriteAttempt {
  kind: 'post' | 'edit';
  threadId: string;
  /** Accepted text (domain/body.ts). */
  body: string;
  /** A post's retry key. */
  clientId?: string | undefined;
  /** Whether the comment, stored with this status, needs jobs: then its thread is listed for the outbox sweep (after-write.ts). */
  needsJobs: (status: Status) => boolean;
}

/** How to store it: `automod` what automatic moderation made of it (at `at`), `jobs` whether it was listed for the sweep. */
export type Write = { kind: 'write'; status: Status; automod: ModerationRecord | null; mentions: Mention[]; jobs: boolean; at: Date };
/** This clientId already stored a comment: the post is a retry, answered with the original (limits or not). */
export type Replay = { kind: 'replay'; commentId: string };

/**
 * What a post and an edit go through before anything is written: thread lock,
 * ban, word lists and pre-moderation (moderation/pipeline.ts), the posting
 * limits, mentions. Throws the refusal; otherwise says how to store it.
 *
 * One round trip: the context, the per-user and per-IP budgets, the mention
 * lookup and the outbox listing are sent together (the budgets before we know
 * whether the write will be refused, so a refusal for another reason gives
 * them back; the listing is harmless if no jobs follow). A thread in slow mode
 * costs one more (its limit needs the thread's setting), and so do new word
 * lists (once per server and change).
 */
export function checkWrite(
  deps: CheckWriteDeps,
  actor: AuthUser,
  origin: Origin,
  attempt: WriteAttempt & { clientId?: undefined },
): Promise<Write>;
export function checkWrite(deps: CheckWriteDeps, actor: AuthUser, origin: Origin, attempt: WriteAttempt): Promise<Write | Replay>;
export async function checkWrite(deps: CheckWriteDeps, actor: AuthUser, origin: Origin, attempt: WriteAttempt): Promise<Write | Replay> {
  const { kind, threadId, body } = attempt;
  // Edits draw on the same per-user and per-IP budgets as new comments, but slow mode paces only new ones.
  const limits = (part: 'budgets' | 'slow_mode', slowModeSeconds = 0) =>
    ({ actor, ip: origin.ip, threadId, slowModeSeconds, kind, now: deps.now(), part }) as const;
  const mayNeedJobs = attempt.needsJobs('visible') || attempt.needsJobs('pending');
  const [ctxR, budgetsR, mentionsR, listedR] = await Promise.allSettled([
    deps.store.preflight.postContext({ threadId, userId: actor.id, clientId: attempt.clientId }),
    deps.limits.take(limits('budgets')),
    resolveMentions(deps, body, actor.id),
    mayNeedJobs ? listForJobs(deps, threadId) : null,
  ]);
  const budgets = budgetsR.status === 'fulfilled' ? budgetsR.value : null;
  const failed = [ctxR, budgetsR, mentionsR, listedR].find((r) => r.status === 'rejected');
  if (failed) {
    await budgets?.giveBack();
    throw failed.reason;
  }
  const ctx = (ctxR as PromiseFulfilledResult<PostContext>).value;
  const mentions = (mentionsR as PromiseFulfilledResult<Mention[]>).value;
  const taken = budgets!;
  if (ctx.existingCommentId) {
    // A retry is answered with the original, limits or not, and costs nothing.
    await taken.giveBack();
    return { kind: 'replay', commentId: ctx.existingCommentId };
  }

  const { thread, ban, approvedCount, settings } = ctx;
  let decision;
  try {
    const words = await deps.wordlists.get(ctx.wordlistsVersion);
    decision = moderate({ kind, actor, body, thread, ban, approvedCount, settings, words });
  } catch (err) {
    await taken.giveBack();
    throw err;
  }
  if (decision.kind === 'refuse') {
    if (kind === 'post' && decision.reasons.some((r) => r.rule === 'banned_term')) {
      // The refusal is written to the audit log, so attempts count against the poster's budget
      // (not slow mode: the corrected comment may follow at once).
      if (taken.refusal) throw taken.refusal;
      await followUp(deps, { kind: 'refused', threadId, userId: actor.id, reasons: decision.reasons });
    } else {
      await taken.giveBack();
    }
    throw decision.error;
  }
  if (kind === 'post' && thread.slowModeSeconds > 0) await slowMode(deps, limits('slow_mode', thread.slowModeSeconds), taken);
  else if (taken.refusal) throw taken.refusal;
  const at = deps.now();
  return {
    kind: 'write',
    status: decision.status,
    automod: automodRecord(decision, at),
    mentions,
    jobs: attempt.needsJobs(decision.status),
    at,
  };
}

/**
 * The thread's slow mode, after the budgets: refused by either, the other
 * gives back what it took and the refusal with the longer wait is the answer
 * (as when all were checked at once).
 */
async function slowMode(deps: CheckWriteDeps, attempt: PostingAttempt, budgets: TakenLimits): Promise<void> {
  const slow = await deps.limits.take(attempt);
  if (!budgets.refusal && !slow.refusal) return;
  if (budgets.refusal && slow.refusal) {
    throw (slow.refusal.retryAfterMs ?? 0) > (budgets.refusal.retryAfterMs ?? 0) ? slow.refusal : budgets.refusal;
  }
  await Promise.all([budgets.giveBack(), slow.giveBack()]);
  throw (budgets.refusal ?? slow.refusal)!;
}
