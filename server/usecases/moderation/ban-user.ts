import { rooms, type Ban } from '../../../client/contract/index.ts';
import { requireModerator, type Actor, type Deps } from '../../context.ts';
import { threadIdOfComment } from '../../domain/ids.ts';
import { errors } from '../../errors.ts';
import { recordDecision } from '../../moderation/decisions.ts';

/**
 * Bans a user for a while or for good. Their next post or edit is refused on
 * every server at once (the ban is checked on each one); their open tabs are
 * told. Optionally their comments of the last 24 hours are removed.
 */
export async function banUser(
  deps: Deps,
  actor: Actor,
  input: { userId: string; durationSeconds?: number | undefined; reason?: string | undefined; removeRecentComments?: boolean | undefined },
): Promise<{ ban: Ban; removedComments: number }> {
  const mod = requireModerator(actor);
  if (input.userId === mod.id) throw errors.forbidden('You cannot ban yourself');
  const targetRole = await deps.store.users.role(input.userId);
  if ((targetRole === 'moderator' || targetRole === 'admin') && mod.role !== 'admin') throw errors.forbidden('Only admins can ban moderators and admins');

  const now = deps.now();
  const ban: Ban = {
    userId: input.userId,
    until: input.durationSeconds ? new Date(now.getTime() + input.durationSeconds * 1000).toISOString() : null,
    reason: input.reason ?? null,
    by: { id: mod.id, handle: mod.handle },
    at: now.toISOString(),
  };
  await deps.store.moderation.ban(ban);
  const by = { kind: 'user' as const, id: mod.id, handle: mod.handle };
  const reasons = input.reason ? [{ rule: 'moderator', detail: input.reason }] : [];

  let removed = 0;
  if (input.removeRecentComments) {
    for (const commentId of await deps.store.users.recentComments(input.userId, now.getTime() - 86_400_000)) {
      const threadId = threadIdOfComment(commentId);
      const result = await deps.store.comments.setStatus(threadId, commentId, 'removed', ['visible', 'pending'], {
        status: 'removed',
        action: 'reject',
        by,
        reasons: [{ rule: 'ban', detail: 'removed with the author’s ban' }, ...reasons],
        at: now.toISOString(),
      });
      if (result.kind !== 'changed') continue;
      removed++;
      await deps.store.moderation.dequeue(['pending', 'flagged', 'reported'], commentId, threadId);
      await deps.store.moderation.enqueue('rejected', commentId, threadId, now.getTime());
      await recordDecision(deps, {
        by,
        action: 'reject',
        target: { commentId, threadId, userId: input.userId },
        reasons: [{ rule: 'ban', detail: 'removed with the author’s ban' }],
        before: result.previous,
        after: 'removed',
        comment: result.comment,
      });
    }
  }
  await deps.emitter.emit(rooms.user(input.userId), 'account:banned', { until: ban.until, reason: ban.reason });
  await recordDecision(deps, { by, action: 'ban', target: { userId: input.userId }, reasons: [{ rule: 'ban', detail: ban.until ? `until ${ban.until}` : 'permanent' }, ...reasons], before: null, after: null });
  return { ban, removedComments: removed };
}

export async function unbanUser(deps: Deps, actor: Actor, input: { userId: string }): Promise<Record<string, never>> {
  const mod = requireModerator(actor);
  if (await deps.store.moderation.unban(input.userId)) {
    await recordDecision(deps, { by: { kind: 'user', id: mod.id, handle: mod.handle }, action: 'unban', target: { userId: input.userId }, reasons: [], before: null, after: null });
  }
  return {};
}
