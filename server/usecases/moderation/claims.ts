import type { Actor, Deps } from '../../context.ts';
import { errors } from '../../errors.ts';
import { followUp, type FollowUpDeps } from '../follow-up.ts';
import { actingModerator, type ActingDeps } from './acting.ts';

/** The ports this use case uses. */
export type ClaimsDeps = Pick<Deps, 'store'> & ActingDeps & FollowUpDeps;

const CLAIM_MS = 120_000;

/** Tells other moderators you are handling an item; a claim held by someone else is a `conflict`. */
export async function claimItem(deps: ClaimsDeps, actor: Actor, input: { commentId: string }): Promise<{ until: string }> {
  const mod = await actingModerator(deps, actor);
  const me = { id: mod.id, handle: mod.handle };
  const holder = await deps.store.moderation.claim(input.commentId, me, CLAIM_MS);
  const until = new Date(holder.until).toISOString();
  if (holder.by.id !== mod.id)
    throw errors.conflict(`@${holder.by.handle} is handling this item until ${until}`, { claimedBy: holder.by, until });
  await followUp(deps, { kind: 'claimed', commentId: input.commentId, by: me, until });
  return { until };
}

export async function releaseItem(deps: ClaimsDeps, actor: Actor, input: { commentId: string }): Promise<Record<string, never>> {
  const mod = await actingModerator(deps, actor);
  if (await deps.store.moderation.release(input.commentId, mod.id)) {
    await followUp(deps, { kind: 'released', commentId: input.commentId });
  }
  return {};
}
