import { bindingBan } from '../../domain/ranks.ts';
import { errors } from '../../errors.ts';
import type { Phase } from '../phase.ts';

/** A banned user may not post or edit until the ban ends (unless the ban came from a lower role than their token's). */
export const userBanned: Phase = ({ ban: stored, actor }) => {
  const ban = bindingBan(stored, actor.role);
  if (!ban) return null;
  const until = ban.until ? `until ${ban.until}` : 'permanently';
  return {
    kind: 'refuse',
    error: errors.forbidden(`You are banned from commenting ${until}${ban.reason ? `: ${ban.reason}` : ''}`, {
      bannedUntil: ban.until,
      reason: ban.reason,
    }),
    reason: { rule: 'banned', detail: `banned ${until}` },
  };
};
