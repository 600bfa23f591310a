import type { Comment, ReportReason } from '../../contract/index.ts';
import type { ThreadlineClient } from '../sdk/index.ts';

/** What a signed-in reader can do to a comment. */
export interface CommentActions {
  me: () => string | undefined;
  reply(c: Comment): void;
  remove(c: Comment): Promise<unknown>;
  report(c: Comment, reason: ReportReason): Promise<unknown>;
  /**
   * Reports being written or sent, by comment id. The list is redrawn on
   * every live event, so this state lives outside it.
   */
  reports: Map<string, { reason: ReportReason; state: 'choosing' | 'sending' | 'sent'; error?: string }>;
  /** Your comments being edited, by id, with the draft (kept across redraws like reports). */
  edits: Map<string, { text: string; saving: boolean; error?: string }>;
  save(c: Comment, body: string): Promise<unknown>;
  redraw(): void;
}

/** The actions, done through `client`; `reply` is late-bound because the composer comes after the first load. */
export function commentActions(
  client: ThreadlineClient,
  signedIn: boolean,
  reply: (c: Comment) => void,
  redraw: () => void,
): CommentActions {
  return {
    me: () => (signedIn ? client.session?.id : undefined),
    reply,
    remove: (c) => client.remove(c.id).then(() => redraw()),
    report: (c, reason) => client.report(c.id, reason),
    reports: new Map(),
    edits: new Map(),
    save: (c, body) => client.edit(c.id, body),
    redraw,
  };
}
