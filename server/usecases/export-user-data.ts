import type { UserExport } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { dataSubject, type DataSubjectDeps } from './data-subject.ts';

/** The ports this use case uses. */
export type ExportUserDataDeps = Pick<Deps, 'store' | 'now'> & DataSubjectDeps;

/** Comment ids read per pipelined round trip. */
const BATCH = 500;

/**
 * Everything Threadline stores about a user, as one document: their record,
 * their comments as written (found through their comment index), their inbox
 * (as the inbox shows it) and their preferences. Their own, or (admins) anyone's.
 */
export async function exportUserData(
  deps: ExportUserDataDeps,
  actor: Actor,
  input: { userId?: string | undefined } = {},
): Promise<UserExport> {
  const { userId } = await dataSubject(deps, actor, input.userId);
  const { users, comments, notifications } = deps.store;
  const [profile, inbox, preferences] = await Promise.all([
    users.profile(userId),
    notifications.all(userId),
    notifications.preferences(userId),
  ]);
  if (!profile) throw errors.notFound('User');
  const written = [];
  for (let start = 0; ; start += BATCH) {
    const ids = await users.commentIds(userId, BATCH, start);
    written.push(...(await comments.asWritten(userId, ids)));
    if (ids.length < BATCH) break;
  }
  const { current } = await notifications.current(inbox);
  return { exportedAt: deps.now().toISOString(), profile, comments: written, notifications: current, preferences };
}
