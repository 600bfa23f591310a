import { isModerator } from '../../domain/actor.ts';
import type { Phase } from '../phase.ts';

/** Pre-moderated threads hold every new comment for a moderator. */
export const premodThread: Phase = ({ kind, thread, actor }) =>
  kind === 'post' && thread.premod && !isModerator(actor)
    ? { kind: 'hold', reason: { rule: 'premod_thread', detail: 'the thread is pre-moderated' } }
    : null;

/** Users with fewer approved comments than the site asks for have new comments held. */
export const premodNewUser: Phase = ({ kind, settings, approvedCount, actor }) =>
  kind === 'post' && settings.premodNewUsers > 0 && approvedCount < settings.premodNewUsers && !isModerator(actor)
    ? {
        kind: 'hold',
        reason: {
          rule: 'premod_new_user',
          detail: `${approvedCount} of ${settings.premodNewUsers} approved comments needed to post directly`,
        },
      }
    : null;
