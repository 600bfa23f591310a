import type { AuditEntry } from '../../../contract/index.ts';
import type { Actor, Deps } from '../../context.ts';
import { actingModerator, type ActingDeps } from './acting.ts';

/** The ports this use case uses. */
export type AuditDeps = Pick<Deps, 'store'> & ActingDeps;

export async function listAudit(
  deps: AuditDeps,
  actor: Actor,
  input: { cursor?: string | undefined; threadId?: string | undefined; moderatorId?: string | undefined; limit: number },
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  await actingModerator(deps, actor);
  return deps.store.moderation.auditPage({ threadId: input.threadId, moderatorId: input.moderatorId }, input.cursor, input.limit);
}
