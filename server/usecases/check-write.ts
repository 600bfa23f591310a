import type { Mention, ModerationRecord } from '../../contract/index.ts';
import type { AuthUser, Deps, Origin } from '../context.ts';
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
 * Context, then word lists, then limits, mentions and the outbox listing:
 * three round trips at most.
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
  const ctx = await deps.store.preflight.postContext({ threadId, userId: actor.id, clientId: attempt.clientId });
  if (ctx.existingCommentId) return { kind: 'replay', commentId: ctx.existingCommentId };

  const words = await deps.wordlists.get(ctx.wordlistsVersion);
  const { thread, ban, approvedCount, settings } = ctx;
  const decision = moderate({ kind, actor, body, thread, ban, approvedCount, settings, words });
  if (decision.kind === 'refuse') {
    if (kind === 'post' && decision.reasons.some((r) => r.rule === 'banned_term')) {
      // The refusal is written to the audit log, so attempts count against the poster's budget
      // (not slow mode: the corrected comment may follow at once).
      await deps.limits.check({ actor, ip: origin.ip, threadId, slowModeSeconds: 0, kind, now: deps.now() });
      await followUp(deps, { kind: 'refused', threadId, userId: actor.id, reasons: decision.reasons });
    }
    throw decision.error;
  }
  const jobs = attempt.needsJobs(decision.status);
  // Edits draw on the same per-user and per-IP budgets as new comments, but slow mode paces only new ones.
  // Mention lookup only reads and the listing is harmless if the write is refused, so they share the limits' round trip.
  const [, mentions] = await Promise.all([
    deps.limits.check({
      actor,
      ip: origin.ip,
      threadId,
      slowModeSeconds: kind === 'post' ? thread.slowModeSeconds : 0,
      kind,
      now: deps.now(),
    }),
    resolveMentions(deps, body, actor.id),
    jobs ? listForJobs(deps, threadId) : null,
  ]);
  const at = deps.now();
  return { kind: 'write', status: decision.status, automod: automodRecord(decision, at), mentions, jobs, at };
}
