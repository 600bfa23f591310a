import type { ModerationRecord, Reason } from '../../contract/index.ts';
import type { AppError } from '../errors.ts';
import type { ModerationInput, Phase } from './phase.ts';
import { bannedTerms } from './phases/banned-terms.ts';
import { premodNewUser, premodThread } from './phases/premod.ts';
import { suspectTerms } from './phases/suspect-terms.ts';
import { threadLocked } from './phases/thread-locked.ts';
import { userBanned } from './phases/user-banned.ts';

/** In order: the first refusal ends the run; holds and flags accumulate. */
const PHASES: Phase[] = [threadLocked, userBanned, bannedTerms, suspectTerms, premodThread, premodNewUser];

export type Decision =
  | { kind: 'refuse'; error: AppError; reasons: Reason[] }
  | { kind: 'publish'; status: 'visible' | 'pending'; flagged: boolean; reasons: Reason[] };

/** Automatic moderation, run before a comment is stored (Coral's pipeline shape). */
export function moderate(input: ModerationInput): Decision {
  const reasons: Reason[] = [];
  let hold = false;
  let flag = false;
  for (const phase of PHASES) {
    const verdict = phase(input);
    if (!verdict) continue;
    if (verdict.kind === 'refuse') return { kind: 'refuse', error: verdict.error, reasons: [verdict.reason] };
    reasons.push(verdict.reason);
    if (verdict.kind === 'hold') hold = true;
    else flag = true;
  }
  return { kind: 'publish', status: hold ? 'pending' : 'visible', flagged: flag && !hold, reasons };
}

/** What automatic moderation stores on a comment it held or flagged; null when it had nothing to say. */
export function automodRecord(decision: Extract<Decision, { kind: 'publish' }>, at: Date): ModerationRecord | null {
  if (decision.reasons.length === 0) return null;
  return {
    status: decision.status,
    ...(decision.flagged ? { flagged: true } : {}),
    action: decision.status === 'pending' ? 'hold' : 'flag',
    by: { kind: 'system', name: 'automod' },
    reasons: decision.reasons,
    at: at.toISOString(),
  };
}
