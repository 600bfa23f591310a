import type {
  AuthoredComment,
  Ban,
  CommentAction,
  CommentStatus,
  ModerationRecord,
  ModerationSettings,
  ModeratorRef,
  Reason,
  ReportReason,
  Thread,
  ThreadSettings,
  UserRef,
  Wordlists,
} from '../../../contract/index.ts';
import type { OutboxEntry } from '../../store/outbox.ts';

/** What a write did, as much as its follow-ups need to know. `jobs`: the outbox entry of a write that needs jobs. */
export type Outcome =
  | { kind: 'posted'; comment: AuthoredComment; moderation: ModerationRecord | null; jobs: OutboxEntry | null }
  /** A post refused for a banned term: nothing is stored, but the refusal is audited. */
  | { kind: 'refused'; threadId: string; userId: string; reasons: Reason[] }
  /** `automod`: what automatic moderation made of the new text; `moderation`: the record before the edit. */
  | {
      kind: 'edited';
      comment: AuthoredComment;
      previous: CommentStatus;
      automod: ModerationRecord | null;
      moderation: ModerationRecord | null;
      jobs: OutboxEntry | null;
    }
  | { kind: 'held'; comment: AuthoredComment; moderation: ModerationRecord; previous: CommentStatus }
  | { kind: 'reported'; comment: AuthoredComment; reporter: UserRef; reason: ReportReason; note: string | null; reports: number; at: Date }
  /**
   * A moderator's decision. `before`: the status the moderator acted on (audited);
   * `previous`: the status the write replaced (they differ if it changed meanwhile).
   */
  | {
      kind: 'moderated';
      action: CommentAction;
      decision: ModerationRecord;
      comment: AuthoredComment;
      before: CommentStatus;
      previous: CommentStatus;
      jobs: OutboxEntry | null;
    }
  /** The author deleted their own comment. */
  | { kind: 'deleted'; comment: AuthoredComment }
  | { kind: 'erased'; userId: string; admin: ModeratorRef | null }
  | { kind: 'banned'; ban: Ban; reasons: Reason[] }
  | { kind: 'unbanned'; userId: string; by: ModeratorRef }
  | { kind: 'thread-settings'; threadId: string; thread: Thread; settings: ThreadSettings; by: ModeratorRef }
  | { kind: 'wordlists'; lists: Wordlists; by: ModeratorRef }
  | { kind: 'moderation-settings'; settings: ModerationSettings; by: ModeratorRef }
  | { kind: 'claimed'; commentId: string; by: ModeratorRef; until: string }
  | { kind: 'released'; commentId: string };
