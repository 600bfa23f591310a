import { readFileSync } from 'node:fs';
import type { AuthoredComment } from '../../contract/index.ts';
import type { AuthUser, Deps } from '../context.ts';
import { newEpoch } from '../domain/ids.ts';
import { AppError } from '../errors.ts';
import { postComment } from '../usecases/post-comment.ts';
import { reportComment } from '../usecases/report-comment.ts';

export const SEED_THREAD_ID = 'korea-summit';
const SEED_THREAD_URL = 'https://news.example.com/world/korea-summit';

/** The word-list term that holds the seed's rudest comment ("…you are one brain dead, dangerous dotard"), leaving the console work. */
export const SEED_SUSPECT_TERM = 'dotard';
/** The seed comment a reader reports (by its author and first words), and who reports it. */
const SEED_REPORT = { author: 'Toasted Heretic', startsWith: 'Pence is a cute hoor', reporter: 'I am Sam', note: 'Name-calling' };

/** The reader `npm run demo` prints a token for. */
export const DEMO_READER = { id: 'demo-reader', handle: 'demo_reader', name: 'Demo Reader', role: 'commenter' as const };

/**
 * Minutes between one seed comment and the next: a few to a quarter of an
 * hour, varied but fixed, so a rerun gives the same thread. The last comment
 * is LAST_AGO_MINUTES old.
 */
const gapMinutes = (i: number) => 3 + ((i * 7) % 12);
const LAST_AGO_MINUTES = 4;
const SEED_ACCOUNT_AGE_DAYS = 30;

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
  /** The seed comments the word list held, and the one a reader reported (null if a moderator already decided it). */
  held: AuthoredComment[];
  reported: AuthoredComment | null;
}

/** When each of `count` seed comments was written: in their order, minutes apart, ending a few minutes ago. */
export function seedTimes(count: number, now: Date): Date[] {
  const gaps = Array.from({ length: count }, (_, i) => (i === 0 ? 0 : gapMinutes(i)));
  const total = gaps.reduce((a, b) => a + b, 0) + LAST_AGO_MINUTES;
  let at = now.getTime() - total * 60_000;
  return gaps.map((gap) => new Date((at += gap * 60_000)));
}

/** Puts SEED_SUSPECT_TERM on the site's suspect list (kept if there), so the import leaves a held comment. */
async function suspectTheRudestComment(deps: Deps): Promise<void> {
  const { lists } = await deps.store.moderation.wordlists();
  if (!lists.suspect.includes(SEED_SUSPECT_TERM)) {
    await deps.store.moderation.setWordlists({ ...lists, suspect: [...lists.suspect, SEED_SUSPECT_TERM] });
  }
}

/** One reader reports SEED_REPORT's comment; nothing when it is no longer visible (a moderator decided it in an earlier run). */
async function reportOne(deps: Deps, users: Map<string, AuthUser>, posted: Posted[]): Promise<AuthoredComment | null> {
  const target = posted.find((p) => p.author === SEED_REPORT.author && p.comment.body.startsWith(SEED_REPORT.startsWith))?.comment;
  if (!target) throw new Error(`The seed has no comment by ${SEED_REPORT.author} starting "${SEED_REPORT.startsWith}"`);
  try {
    await reportComment(deps, users.get(SEED_REPORT.reporter)!, { commentId: target.id, reason: 'abuse', note: SEED_REPORT.note });
    return target;
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  }
}

/**
 * Records the demo reader as an established account (first seen before
 * RATE_NEW_ACCOUNT_HOURS), so trying the widget gets the site's normal
 * posting limits, not a brand-new account's half.
 */
export async function prepareDemoReader(deps: Deps): Promise<void> {
  const firstSeen = new Date(deps.now().getTime() - deps.config.limits.newAccountMs - 3_600_000);
  const stored = await deps.store.users.upsert({ ...DEMO_READER, email: undefined }, firstSeen);
  if (!stored.ok) throw new Error(`The demo reader was refused (${stored.reason})`);
}

/**
 * Imports the seed article and its comments through the same use cases as
 * live traffic (so mentions and replies resolve for real), minutes apart
 * (seedTimes), and leaves the console work: the rudest comment held by the
 * word list (SEED_SUSPECT_TERM), another reported. Safe to run twice: each
 * comment has a fixed clientId, and a reader reports a comment once.
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
  const times = seedTimes(seed.comments.length, now);
  // Readers who had accounts before the article came out, as on a real site (the console shows account age).
  const accountsSince = new Date(times[0]!.getTime() - SEED_ACCOUNT_AGE_DAYS * 86_400_000);
  const users = new Map<string, AuthUser>();
  for (const name of new Set(seed.comments.map((c) => c.author))) {
    const handle = handleFromName(name);
    const claims = { id: `seed-${handle.toLowerCase()}`, handle, name, role: 'commenter' as const, email: undefined };
    const stored = await deps.store.users.upsert(claims, accountsSince);
    if (!stored.ok) throw new Error(`The seed user ${handle} was refused (${stored.reason})`);
    users.set(name, { ...claims, firstSeenAt: new Date(stored.createdAt), expiresAt });
  }
  await deps.store.threads.put(SEED_THREAD_ID, seed.article.title, SEED_THREAD_URL, newEpoch());

  await suspectTheRudestComment(deps);

  const posted: Posted[] = [];
  for (const [i, c] of seed.comments.entries()) {
    const parent = findParent(c.body, posted);
    const at = times[i]!;
    // Everything about the post (its automatic moderation, the author's indexes) happens at its own time.
    const { comment } = await postComment({ ...deps, now: () => at }, users.get(c.author)!, {
      threadId: SEED_THREAD_ID,
      body: c.body,
      parentId: parent?.id,
      clientId: `seed-comment-${String(i).padStart(3, '0')}`,
      createdAt: at,
    });
    posted.push({ author: c.author, comment });
  }
  const reported = await reportOne(deps, users, posted);
  const comments = posted.map((p) => p.comment);
  return { threadId: SEED_THREAD_ID, users: [...users.values()], comments, held: comments.filter((c) => c.status === 'pending'), reported };
}
