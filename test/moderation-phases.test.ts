import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../server/context.ts';
import type { ModerationInput } from '../server/moderation/phase.ts';
import { bannedTerms } from '../server/moderation/phases/banned-terms.ts';
import { premodNewUser, premodThread } from '../server/moderation/phases/premod.ts';
import { suspectTerms } from '../server/moderation/phases/suspect-terms.ts';
import { threadLocked } from '../server/moderation/phases/thread-locked.ts';
import { userBanned } from '../server/moderation/phases/user-banned.ts';
import { moderate } from '../server/moderation/pipeline.ts';
import { WordlistMatcher } from '../server/moderation/wordlists.ts';

const commenter: AuthUser = {
  id: 'u1',
  handle: 'u1',
  name: 'U',
  role: 'commenter',
  email: undefined,
  firstSeenAt: new Date(0),
  expiresAt: new Date(Date.now() + 3600_000),
};
const moderator: AuthUser = { ...commenter, id: 'm1', role: 'moderator' };

function input(over: Partial<ModerationInput> = {}): ModerationInput {
  return {
    kind: 'post',
    actor: commenter,
    body: 'a perfectly fine comment',
    thread: { locked: false, premod: false },
    ban: null,
    approvedCount: 10,
    settings: { premodNewUsers: 0 },
    words: new WordlistMatcher({ banned: ['scumbag'], suspect: ['dotard', 'bigot'], suspectAction: 'hold', builtinProfanity: 'off' }),
    ...over,
  };
}

describe('phases', () => {
  it('threadLocked refuses new comments in a locked thread, except from moderators and for edits', () => {
    expect(threadLocked(input({ thread: { locked: true, premod: false } }))).toMatchObject({
      kind: 'refuse',
      error: { code: 'thread_locked' },
    });
    expect(threadLocked(input({ thread: { locked: true, premod: false }, actor: moderator }))).toBeNull();
    expect(threadLocked(input({ thread: { locked: true, premod: false }, kind: 'edit' }))).toBeNull();
    expect(threadLocked(input())).toBeNull();
  });

  it('userBanned refuses with the end of the ban', () => {
    const until = new Date(Date.now() + 3600_000).toISOString();
    const ban = {
      userId: 'u1',
      until,
      reason: 'spam',
      by: { id: 'm1', handle: 'm1' },
      byRole: 'moderator' as const,
      at: new Date().toISOString(),
    };
    expect(userBanned(input({ ban }))).toMatchObject({ kind: 'refuse', error: { code: 'forbidden', details: { bannedUntil: until } } });
    expect(userBanned(input())).toBeNull();
    // A moderator's ban does not bind a user whose token says admin (they had not signed in when banned).
    expect(userBanned(input({ ban, actor: { ...input().actor, role: 'admin' } })), 'a moderator’s ban on an admin').toBeNull();
  });

  it('bannedTerms refuses obfuscated spellings and names the term', () => {
    for (const body of ['you scumbag', 'you SCUMBAG!', 'you 5cumb4g', 'you scummmmbag']) {
      expect(bannedTerms(input({ body })), body).toMatchObject({
        kind: 'refuse',
        error: { code: 'invalid_payload', details: { reason: { term: 'scumbag' } } },
      });
    }
    expect(bannedTerms(input({ body: 'a scum bag of chips' }))).toBeNull();
  });

  it('suspectTerms holds (or flags, per site setting), says which term, and leaves moderators alone', () => {
    expect(suspectTerms(input({ body: 'brain dead, dangerous dotard' }))).toEqual({
      kind: 'hold',
      reason: { rule: 'suspect_term', detail: 'suspect list: "dotard"' },
    });
    expect(suspectTerms(input({ body: 'a b1g0t' }))).toMatchObject({ kind: 'hold', reason: { detail: 'suspect list: "bigot"' } });
    const flagging = new WordlistMatcher({ banned: [], suspect: ['dotard'], suspectAction: 'flag', builtinProfanity: 'off' });
    expect(suspectTerms(input({ body: 'dotard', words: flagging }))).toMatchObject({ kind: 'flag' });
    expect(suspectTerms(input({ body: 'dotard', actor: moderator }))).toBeNull();
  });

  it('premodThread and premodNewUser hold new comments', () => {
    expect(premodThread(input({ thread: { locked: false, premod: true } }))).toMatchObject({
      kind: 'hold',
      reason: { rule: 'premod_thread' },
    });
    expect(premodThread(input({ thread: { locked: false, premod: true }, kind: 'edit' }))).toBeNull();
    expect(premodNewUser(input({ settings: { premodNewUsers: 3 }, approvedCount: 2 }))).toMatchObject({
      kind: 'hold',
      reason: { rule: 'premod_new_user' },
    });
    expect(premodNewUser(input({ settings: { premodNewUsers: 3 }, approvedCount: 3 }))).toBeNull();
    expect(premodNewUser(input({ settings: { premodNewUsers: 0 }, approvedCount: 0 }))).toBeNull();
  });

  it('the built-in profanity list is off unless the site turns it on', () => {
    const on = new WordlistMatcher({ banned: [], suspect: [], suspectAction: 'hold', builtinProfanity: 'suspect' });
    expect(suspectTerms(input({ body: 'what the fuck', words: on }))).toMatchObject({ kind: 'hold' });
    expect(suspectTerms(input({ body: 'what the fuck' }))).toBeNull();
  });
});

describe('the pipeline', () => {
  it('stops at the first refusal and accumulates holds and flags', () => {
    const refused = moderate(input({ body: 'scumbag dotard', thread: { locked: false, premod: true } }));
    expect(refused).toMatchObject({ kind: 'refuse', reasons: [{ rule: 'banned_term' }] });
    const held = moderate(input({ body: 'dotard', thread: { locked: false, premod: true } }));
    expect(held).toEqual({
      kind: 'publish',
      status: 'pending',
      flagged: false,
      reasons: [
        { rule: 'suspect_term', detail: 'suspect list: "dotard"' },
        { rule: 'premod_thread', detail: 'the thread is pre-moderated' },
      ],
    });
    expect(moderate(input())).toEqual({ kind: 'publish', status: 'visible', flagged: false, reasons: [] });
  });
});
