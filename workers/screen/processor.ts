import type { CoreDeps } from '../../server/context.ts';
import { MAX_MENTIONS } from '../../server/domain/mentions.ts';
import { comparableText, countLinks, textFingerprint, type HoldReason } from '../../server/domain/screening.ts';
import type { CommentRecord } from '../../server/store/comments.ts';
import { holdComment, type HoldTarget, type HoldDeps } from '../../server/usecases/hold-comment.ts';
import type { ScreenJob } from '../../server/jobs/queues.ts';

/** What this processor uses. */
export type ScreenDeps = Pick<CoreDeps, 'config' | 'store' | 'now'> & HoldDeps;

/** Comment id -> the comment and why it should be held. */
type Holds = Map<string, { target: HoldTarget; reasons: HoldReason[] }>;

const noHolds = (): Holds => new Map();

function hold(holds: Holds, target: HoldTarget, reason: HoldReason): void {
  const entry = holds.get(target.id) ?? { target, reasons: [] };
  if (!entry.reasons.some((r) => r.rule === reason.rule)) entry.reasons.push(reason);
  holds.set(target.id, entry);
}

/**
 * Screens one new or edited comment after it was acknowledged, and holds
 * what looks like abuse - sometimes earlier comments too (every copy of a
 * copy-paste raid). Each rule records what it saw first, so running the same
 * job twice (or on several workers) reaches the same decisions, and holding
 * an already-held comment changes nothing.
 */
export async function processScreen(deps: ScreenDeps, job: ScreenJob): Promise<{ held: string[] }> {
  const record = await deps.store.comments.get(job.threadId, job.commentId);
  if (!record || record.status !== 'visible') return { held: [] };
  const now = deps.now().getTime();
  // The rules run at once, each into its own map; merged in rule order so reasons read the same every run.
  const found: Holds[] = [noHolds(), noHolds(), noHolds()];
  await Promise.all([
    repeatedText(deps, record, now, found[0]!),
    linksFromNewAccount(deps, record, now, found[1]!),
    mentionAbuse(deps, record, now, found[2]!),
  ]);
  const holds: Holds = new Map();
  for (const map of found) for (const { target, reasons } of map.values()) for (const reason of reasons) hold(holds, target, reason);

  const by = { kind: 'system', name: 'screening' } as const;
  const earlier = [...holds.values()].filter(({ target }) => target.id !== record.id);
  const outcomes = await Promise.all(earlier.map(({ target, reasons }) => holdComment(deps, target, reasons, by)));
  const held = earlier.filter((_, i) => outcomes[i] === 'held').map(({ target }) => target.id);
  // This job's own comment goes last: if holding an earlier copy failed, the retry still finds it visible and runs again.
  const own = holds.get(record.id);
  if (own && (await holdComment(deps, record, own.reasons, by)) === 'held') held.push(record.id);
  return { held };
}

/** The same text 3+ times from one user, or from 5+ users, within the window: every copy is held. */
async function repeatedText(deps: ScreenDeps, record: CommentRecord, now: number, holds: Holds): Promise<void> {
  const { windowMs, copiesPerUser, raidUsers, minTextLength } = deps.config.screening;
  const comparable = comparableText(record.body);
  if (comparable.length < minTextLength) return;
  const copies = await deps.store.screening.recordText(
    textFingerprint(comparable),
    { commentId: record.id, authorId: record.authorId },
    now,
    windowMs,
  );
  const minutes = Math.round(windowMs / 60_000);
  const mine = copies.filter((c) => c.authorId === record.authorId);
  if (mine.length >= copiesPerUser) {
    for (const c of mine)
      hold(
        holds,
        { id: c.commentId, authorId: c.authorId },
        { rule: 'repeated_text', detail: `the same text ${mine.length} times from one account within ${minutes} min` },
      );
  }
  const authors = new Set(copies.map((c) => c.authorId)).size;
  if (authors >= raidUsers) {
    for (const c of copies)
      hold(
        holds,
        { id: c.commentId, authorId: c.authorId },
        { rule: 'copy_paste_raid', detail: `the same text from ${authors} accounts within ${minutes} min` },
      );
  }
}

/** More than the allowed links from an account younger than RATE_NEW_ACCOUNT_HOURS. */
async function linksFromNewAccount(deps: ScreenDeps, record: CommentRecord, now: number, holds: Holds): Promise<void> {
  const max = deps.config.screening.newAccountMaxLinks;
  const links = countLinks(record.body);
  if (links <= max) return;
  const firstSeen = await deps.store.users.firstSeen(record.authorId);
  if (firstSeen && now - firstSeen.getTime() >= deps.config.limits.newAccountMs) return;
  hold(holds, record, {
    rule: 'links_from_new_account',
    detail: `${links} links from an account first seen under ${Math.round(deps.config.limits.newAccountMs / 3_600_000)} h ago`,
  });
}

/** A comment at the mention cap, or one author mentioning the same user 5+ times within the window. */
async function mentionAbuse(deps: ScreenDeps, record: CommentRecord, now: number, holds: Holds): Promise<void> {
  const { windowMs, mentionRepeats } = deps.config.screening;
  const mentions = record.comment.mentions;
  if (mentions.length >= MAX_MENTIONS) hold(holds, record, { rule: 'mention_cap', detail: `${mentions.length} mentions in one comment` });
  const recorded = await Promise.all(
    mentions.map((m) => deps.store.screening.recordMention(record.authorId, m.userId, record.id, now, windowMs)),
  );
  for (const [i, m] of mentions.entries()) {
    const comments = recorded[i]!;
    if (comments.length >= mentionRepeats) {
      for (const id of comments)
        hold(
          holds,
          { id, authorId: record.authorId },
          {
            rule: 'repeated_mentions',
            detail: `@${m.handle} mentioned ${comments.length} times by one account within ${Math.round(windowMs / 60_000)} min`,
          },
        );
    }
  }
}
