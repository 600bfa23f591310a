import type { Ban, ModerationSettings, Reason } from '../../contract/index.ts';
import type { AuthUser } from '../domain/actor.ts';
import type { AppError } from '../errors.ts';
import type { WordlistMatcher } from './wordlists.ts';

/** What automatic moderation looks at before a comment is stored. */
export interface ModerationInput {
  kind: 'post' | 'edit';
  actor: AuthUser;
  body: string;
  thread: { locked: boolean; premod: boolean };
  ban: Ban | null;
  approvedCount: number;
  settings: ModerationSettings;
  words: WordlistMatcher;
}

/** One phase's say: refuse (nothing is stored), hold for a moderator, or publish but flag for a second look. */
export type Verdict =
  { kind: 'refuse'; error: AppError; reason: Reason } | { kind: 'hold'; reason: Reason } | { kind: 'flag'; reason: Reason };

/** A small pure rule; null = nothing to say. */
export type Phase = (input: ModerationInput) => Verdict | null;
