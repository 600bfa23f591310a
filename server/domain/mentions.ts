import { MENTION_PATTERN as MENTION } from '../../contract/mentions.ts';

export const MAX_MENTIONS = 10;
/** How many distinct candidates we look up; bounds the work a comment can cause. */
const MAX_CANDIDATES = 50;

/** Distinct lower-cased handles in order of first appearance. */
export function parseMentionCandidates(body: string): string[] {
  const seen = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    seen.add(match[1]!.toLowerCase());
    if (seen.size === MAX_CANDIDATES) break;
  }
  return [...seen];
}

export interface ResolvedMention {
  userId: string;
  handle: string;
}

/**
 * Keeps candidates that name a known user other than the author, in order,
 * without duplicates (two handles can never map to one user, but be safe),
 * at most MAX_MENTIONS.
 */
export function selectMentions(candidates: string[], resolved: Map<string, ResolvedMention>, authorId: string): ResolvedMention[] {
  const out: ResolvedMention[] = [];
  const users = new Set<string>();
  for (const handle of candidates) {
    const user = resolved.get(handle);
    if (!user || user.userId === authorId || users.has(user.userId)) continue;
    users.add(user.userId);
    out.push(user);
    if (out.length === MAX_MENTIONS) break;
  }
  return out;
}
