import type { Ban, Role } from '../../contract/index.ts';

const RANK: Record<Role, number> = { commenter: 0, moderator: 1, admin: 2 };

/**
 * Whether someone of role `by` may ban a user of role `target`, or lift their
 * ban: only users of a lower role, except that admins may also ban admins
 * (there is nobody above them inside Threadline to ask; the host site, which
 * grants the role, is the last word). A moderator never bans a moderator.
 */
export function outranks(by: Role, target: Role): boolean {
  return RANK[by] > RANK[target] || by === 'admin';
}

/** Whether a ban made by `by` may be lifted by someone of role `lifter`: not by a lower role. */
export function mayLift(lifter: Role, by: Role): boolean {
  return RANK[lifter] >= RANK[by];
}

/**
 * The ban that binds a user acting with `role` (from their verified token,
 * not from what Threadline stored), or null. A ban made by a lower role never
 * locks out a higher one: the banner could not have known, e.g. when the
 * account had not signed in yet and looked like a commenter's.
 */
export function bindingBan(ban: Ban | null, role: Role): Ban | null {
  return ban && outranks(ban.byRole, role) ? ban : null;
}
