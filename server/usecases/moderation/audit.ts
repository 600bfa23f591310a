import type { AuditEntry } from '../../../client/contract/index.ts';
import { requireModerator, type Actor, type Deps } from '../../context.ts';

export async function listAudit(
  deps: Deps,
  actor: Actor,
  input: { cursor?: string | undefined; threadId?: string | undefined; moderatorId?: string | undefined; limit: number },
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  requireModerator(actor);
  return deps.store.moderation.auditPage({ threadId: input.threadId, moderatorId: input.moderatorId }, input.cursor, input.limit);
}
