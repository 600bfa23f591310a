import { readFileSync } from 'node:fs';
import type { AuthoredComment } from '../../contract/index.ts';
import type { AuthUser, Deps } from '../context.ts';
import { newEpoch } from '../domain/ids.ts';
import { postComment } from '../usecases/post-comment.ts';

export const SEED_THREAD_ID = 'korea-summit';
const SEED_THREAD_URL = 'https://news.example.com/world/korea-summit';

interface SeedFile {
  article: { title: string; paragraphs: string[] };
  comments: { author: string; body: string }[];
}

export function loadSeed(): SeedFile {
  return JSON.parse(readFileSync(new URL('./seed-thread.json', import.meta.url), 'utf8')) as SeedFile;
}

/** "Matt Hartwell" -> "MattHartwell": the handle a display name would get. */
export function handleFromName(name: string): string {
  const handle = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_]/g, '')
    .slice(0, 32);
  return handle.length >= 2 ? handle : `${handle}__`.slice(0, 2);
}

interface Posted {
  author: string;
  comment: AuthoredComment;
}

/**
 * The seed thread is flat text; recover who answers whom from the way readers
 * write replies: "re: <quote>", a leading "@handle", "Hi <name>," or
 * addressing someone by name between commas ("The reality, Matt Hartwell, is").
 */
function findParent(body: string, earlier: Posted[]): AuthoredComment | undefined {
  const latestBy = (pred: (p: Posted) => boolean) => [...earlier].reverse().find(pred)?.comment;
  const re = /^re:\s*(.+)$/im.exec(body.split('\n')[0] ?? '');
  if (re) return earlier.find((p) => p.comment.body.startsWith(re[1]!.trim()))?.comment;
  const at = /^@([A-Za-z0-9_]{2,32})\b/.exec(body);
  if (at) return latestBy((p) => p.comment.author.handle.toLowerCase() === at[1]!.toLowerCase());
  const hi = /^(?:hi|hello|dear)\s+([^,\n]{2,64}),/i.exec(body);
  if (hi) return latestBy((p) => p.author.toLowerCase() === hi[1]!.trim().toLowerCase());
  const firstSentence = body.split(/[.!?\n]/)[0] ?? '';
  return latestBy((p) => firstSentence.includes(`, ${p.author},`));
}

export interface SeedResult {
  threadId: string;
  users: AuthUser[];
  comments: AuthoredComment[];
}

/**
 * Imports the seed article and its comments through the same use cases as
 * live traffic (so mentions and replies resolve for real). Safe to run twice:
 * each comment has a fixed clientId.
 */
export async function importSeedThread(liveDeps: Deps): Promise<SeedResult> {
  // An import is not reader traffic: posting limits do not apply to it.
  const deps: Deps = {
    ...liveDeps,
    limits: { check: () => Promise.resolve(), take: () => Promise.resolve({ refusal: null, giveBack: () => Promise.resolve() }) },
  };
  const seed = loadSeed();
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + 3600_000);
  const users = new Map<string, AuthUser>();
  for (const name of new Set(seed.comments.map((c) => c.author))) {
    const handle = handleFromName(name);
    const claims = { id: `seed-${handle.toLowerCase()}`, handle, name, role: 'commenter' as const, email: undefined };
    const stored = await deps.store.users.upsert(claims, now);
    if (!stored.ok) throw new Error(`The seed user ${handle} was refused (${stored.reason})`);
    users.set(name, { ...claims, firstSeenAt: new Date(stored.createdAt), expiresAt });
  }
  await deps.store.threads.put(SEED_THREAD_ID, seed.article.title, SEED_THREAD_URL, newEpoch());

  const posted: Posted[] = [];
  for (const [i, c] of seed.comments.entries()) {
    const parent = findParent(c.body, posted);
    const { comment } = await postComment(deps, users.get(c.author)!, {
      threadId: SEED_THREAD_ID,
      body: c.body,
      parentId: parent?.id,
      clientId: `seed-comment-${String(i).padStart(3, '0')}`,
    });
    posted.push({ author: c.author, comment });
  }
  return { threadId: SEED_THREAD_ID, users: [...users.values()], comments: posted.map((p) => p.comment) };
}
