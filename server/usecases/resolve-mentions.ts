import type { Mention } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import { parseMentionCandidates, selectMentions } from '../domain/mentions.ts';

/** The ports this use case uses. */
export type ResolveMentionsDeps = Pick<Deps, 'store'>;

/** The server's mentions for a body: known users only, never the author, at most 10. */
export async function resolveMentions(deps: ResolveMentionsDeps, body: string, authorId: string): Promise<Mention[]> {
  const candidates = parseMentionCandidates(body);
  if (candidates.length === 0) return [];
  const resolved = await deps.store.users.resolveHandles(candidates);
  return selectMentions(candidates, resolved, authorId);
}
