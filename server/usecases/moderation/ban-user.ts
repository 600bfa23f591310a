import { rooms, type Ban } from '../../../client/contract/index.ts';
import type { Actor, Deps } from '../../context.ts';
import { AppError, errors } from '../../errors.ts';
import { recordDecision } from '../../moderation/decisions.ts';
import { actingModerator } from './acting.ts';
import { decide } from './moderate-comment.ts';

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
  const mod = await actingModerator(deps, actor);
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
  await Promise.all([
    deps.emitter.emit(rooms.user(input.userId), 'account:banned', { until: ban.until, reason: ban.reason }),
    recordDecision(deps, { by, action: 'ban', target: { userId: input.userId }, reasons: [{ rule: 'ban', detail: ban.until ? `until ${ban.until}` : 'permanent' }, ...reasons], before: null, after: null }),
  ]);

  let removed = 0;
  if (input.removeRecentComments) {
    // Each removal is an ordinary reject (queues, audit, the author told about held ones); one already decided by someone else is left as it is.
    const removal = { reasons: [{ rule: 'ban', detail: 'removed with the author’s ban' }, ...reasons] };
    const recent = await deps.store.users.recentComments(input.userId, now.getTime() - 86_400_000);
    const outcomes = await Promise.allSettled(recent.map((commentId) => decide(deps, mod, { commentId, action: 'reject' }, removal)));
    for (const o of outcomes) {
      if (o.status === 'fulfilled') removed += o.value.changed ? 1 : 0;
      else if (!(o.reason instanceof AppError && (o.reason.code === 'conflict' || o.reason.code === 'not_found'))) throw o.reason;
    }
  }
  return { ban, removedComments: removed };
}

export async function unbanUser(deps: Deps, actor: Actor, input: { userId: string }): Promise<Record<string, never>> {
  const mod = await actingModerator(deps, actor);
  if (await deps.store.moderation.unban(input.userId)) {
    await recordDecision(deps, { by: { kind: 'user', id: mod.id, handle: mod.handle }, action: 'unban', target: { userId: input.userId }, reasons: [], before: null, after: null });
  }
  return {};
}
