import { RoleSchema, type Ban, type Role } from '../../../contract/index.ts';
import type { Actor, AuthUser, Deps } from '../../context.ts';
import { mayLift, outranks } from '../../domain/ranks.ts';
import { AppError, errors } from '../../errors.ts';
import { followUp, type FollowUpDeps } from '../follow-up.ts';
import { actingModerator, type ActingDeps } from './acting.ts';
import { decide, type ModerateCommentDeps } from './moderate-comment.ts';

/** The ports this use case uses. */
export type BanUserDeps = Pick<Deps, 'store' | 'now'> & ActingDeps & ModerateCommentDeps & FollowUpDeps;

/**
 * Bans a user for a while or for good. Their next post or edit is refused on
 * every server at once (the ban is checked on each one); every server tells
 * their open tabs and closes their /moderation sockets (realtime/access.ts).
 * Optionally their comments of the last 24 hours are removed. Only users of a
 * lower role can be banned (server/domain/ranks.ts).
 */
export async function banUser(
  deps: BanUserDeps,
  actor: Actor,
  input: { userId: string; durationSeconds?: number | undefined; reason?: string | undefined; removeRecentComments?: boolean | undefined },
): Promise<{ ban: Ban; removedComments: number }> {
  const mod = await actingModerator(deps, actor);
  if (input.userId === mod.id) throw errors.forbidden('You cannot ban yourself');
  await mayActOn(deps, mod, input.userId, 'ban');

  const now = deps.now();
  const ban: Ban = {
    userId: input.userId,
    until: input.durationSeconds ? new Date(now.getTime() + input.durationSeconds * 1000).toISOString() : null,
    reason: input.reason ?? null,
    by: { id: mod.id, handle: mod.handle },
    byRole: mod.role,
    at: now.toISOString(),
  };
  await deps.store.moderation.ban(ban);
  const reasons = input.reason ? [{ rule: 'moderator', detail: input.reason }] : [];
  await followUp(deps, { kind: 'banned', ban, reasons });

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

export async function unbanUser(deps: BanUserDeps, actor: Actor, input: { userId: string }): Promise<Record<string, never>> {
  const mod = await actingModerator(deps, actor);
  const [, ban] = await Promise.all([mayActOn(deps, mod, input.userId, 'unban'), deps.store.moderation.activeBan(input.userId)]);
  if (!ban) return {};
  if (!mayLift(mod.role, ban.byRole))
    throw errors.forbidden('This ban was made by an admin; only an admin can lift it', { byRole: ban.byRole });
  if (!(await deps.store.moderation.unban(ban)))
    throw errors.conflict('The ban changed while you were lifting it; look at it again', { userId: input.userId });
  await followUp(deps, { kind: 'unbanned', userId: input.userId, by: mod });
  return {};
}

/**
 * Bans and unbans reach only lower roles. The target's role is the one
 * Threadline last saw in their token (an account never seen counts as a
 * commenter's); should it be higher by the time they sign in, the ban does
 * not bind them (ranks.ts bindingBan).
 */
async function mayActOn(deps: BanUserDeps, mod: AuthUser, userId: string, what: 'ban' | 'unban'): Promise<void> {
  const target: Role = RoleSchema.catch('commenter').parse((await deps.store.users.role(userId)) ?? 'commenter');
  if (!outranks(mod.role, target)) {
    throw errors.forbidden(
      what === 'ban' ? 'Only admins can ban moderators and admins' : 'Only admins can lift bans of moderators and admins',
      { role: target },
    );
  }
}
