import type { Comment, ReportReason, UserRef } from '../../contract/index.ts';
import type { ThreadlineClient } from '../sdk/index.ts';

/** A reply being written in place, under the comment it answers. */
export interface ReplyDraft {
  text: string;
  sending: boolean;
  error?: string;
}

/** What a signed-in reader can do to a comment. */
export interface CommentActions {
  me: () => string | undefined;
  /** Opens (or focuses) the reply composer under `c`. */
  reply(c: Comment): void;
  /** Closes the reply composer under `c` and puts focus back on its Reply button. */
  closeReply(c: Comment): void;
  postReply(c: Comment, body: string): Promise<unknown>;
  participants: (prefix: string) => Promise<UserRef[]>;
  typing(): void;
  remove(c: Comment): Promise<unknown>;
  report(c: Comment, reason: ReportReason): Promise<unknown>;
  /**
   * Reports being written or sent, by comment id. Comments are redrawn when
   * they change, so this state lives outside them.
   */
  reports: Map<string, { reason: ReportReason; state: 'choosing' | 'sending' | 'sent'; error?: string }>;
  /** Your comments being edited, by id, with the draft (kept across redraws like reports). */
  edits: Map<string, { text: string; saving: boolean; error?: string }>;
  /** Replies being written, by the id of the comment they answer (kept across redraws like edits). */
  replies: Map<string, ReplyDraft>;
  save(c: Comment, body: string): Promise<unknown>;
  /** Redraws the list; with `id`, that comment's own state (draft, report, editor) changed and it is rebuilt. */
  redraw(id?: string): void;
}

/** Where the actions reach the list: redraw it, and focus a comment's Reply button. */
export interface ListHooks {
  redraw(id?: string): void;
  focusReplyButton(id: string): void;
  focusReplyInput(id: string): void;
}

/** The actions, done through `client`. */
export function commentActions(client: ThreadlineClient, threadId: string, signedIn: boolean, list: ListHooks): CommentActions {
  const replies = new Map<string, ReplyDraft>();
  return {
    me: () => (signedIn ? client.session?.id : undefined),
    reply: (c) => {
      if (!replies.has(c.id)) {
        replies.set(c.id, { text: '', sending: false });
        list.redraw(c.id);
      }
      list.focusReplyInput(c.id);
    },
    closeReply: (c) => {
      replies.delete(c.id);
      list.redraw(c.id);
      list.focusReplyButton(c.id);
    },
    postReply: (c, body) => client.post({ threadId, body, parentId: c.id }),
    participants: (prefix) => client.participants(threadId, prefix),
    typing: () => client.typing(threadId),
    remove: (c) => client.remove(c.id).then(() => list.redraw(c.id)),
    report: (c, reason) => client.report(c.id, reason),
    reports: new Map(),
    edits: new Map(),
    replies,
    save: (c, body) => client.edit(c.id, body),
    redraw: (id) => list.redraw(id),
  };
}
