import { rooms, type ModeratorRef, type ThreadSettings, type Wordlists } from '../../../contract/index.ts';
import { threadIdOfComment } from '../../domain/ids.ts';
import { decision, feed, type Plans } from './effects.ts';

type Kinds = 'erased' | 'banned' | 'unbanned' | 'thread-settings' | 'wordlists' | 'moderation-settings' | 'claimed' | 'released';

/** The follow-ups of writes about users, settings and claims. */
export const adminPlans: Plans<Kinds> = {
  erased: (deps, { userId, admin }) => [
    [
      decision(deps, {
        by: admin ? { kind: 'user', ...pick(admin) } : { kind: 'system', name: 'data_request' },
        action: 'erase',
        target: { userId },
        reasons: [{ rule: 'data_request', detail: admin ? 'erased by an admin' : 'erased at the user’s request' }],
        before: null,
        after: null,
      }),
    ],
  ],

  // Every server tells the user's open tabs and closes their /moderation sockets (realtime/access.ts).
  banned: (deps, { ban, reasons }) => [
    [
      ['access', () => deps.emitter.accessChanged(ban.userId)],
      decision(deps, {
        by: { kind: 'user', ...pick(ban.by) },
        action: 'ban',
        target: { userId: ban.userId },
        reasons: [{ rule: 'ban', detail: ban.until ? `until ${ban.until}` : 'permanent' }, ...reasons],
        before: null,
        after: null,
      }),
    ],
  ],

  unbanned: (deps, { userId, by }) => [
    [
      ['access', () => deps.emitter.accessChanged(userId)],
      decision(deps, { by: { kind: 'user', ...pick(by) }, action: 'unban', target: { userId }, reasons: [], before: null, after: null }),
    ],
  ],

  // Everyone viewing the thread is told at once.
  'thread-settings': (deps, { threadId, thread, settings, by }) => [
    [
      ['readers', () => deps.emitter.emit(rooms.thread(threadId), 'thread:updated', { thread })],
      decision(deps, {
        by: { kind: 'user', ...pick(by) },
        action: 'thread_settings',
        target: { threadId },
        reasons: [{ rule: 'thread_settings', detail: describe(settings) }],
        before: null,
        after: null,
        thread,
      }),
    ],
  ],

  wordlists: (deps, { lists, by }) => [
    [
      decision(deps, {
        by: { kind: 'user', ...pick(by) },
        action: 'wordlists',
        target: {},
        reasons: [{ rule: 'wordlists', detail: describeWordlists(lists) }],
        before: null,
        after: null,
      }),
    ],
  ],

  'moderation-settings': (deps, { settings, by }) => [
    [
      decision(deps, {
        by: { kind: 'user', ...pick(by) },
        action: 'settings',
        target: {},
        reasons: [{ rule: 'settings', detail: `pre-moderate users with fewer than ${settings.premodNewUsers} approved comments` }],
        before: null,
        after: null,
      }),
    ],
  ],

  claimed: (deps, { commentId, by, until }) => [
    [feed(deps, { type: 'claim', commentId, by: pick(by), until }, threadIdOfComment(commentId))],
  ],
  released: (deps, { commentId }) => [[feed(deps, { type: 'claim', commentId, by: null, until: null }, threadIdOfComment(commentId))]],
};

// Only the reference: an AuthUser passed as `by` must not leak its other fields into the audit log.
const pick = ({ id, handle }: ModeratorRef): ModeratorRef => ({ id, handle });

function describe(s: ThreadSettings): string {
  const parts: string[] = [];
  if (s.locked !== undefined) parts.push(s.locked ? 'locked' : 'unlocked');
  if (s.slowModeSeconds !== undefined) parts.push(s.slowModeSeconds > 0 ? `slow mode ${s.slowModeSeconds} s` : 'slow mode off');
  if (s.premod !== undefined) parts.push(s.premod ? 'pre-moderation on' : 'pre-moderation off');
  return parts.join(', ');
}

const describeWordlists = (lists: Wordlists) =>
  `${lists.banned.length} banned, ${lists.suspect.length} suspect, suspect → ${lists.suspectAction}, built-in ${lists.builtinProfanity}`;
