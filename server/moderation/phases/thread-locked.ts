import { isModerator } from '../../domain/actor.ts';
import { errors } from '../../errors.ts';
import type { Phase } from '../phase.ts';

/** A locked thread takes no new comments (moderators may still post). */
export const threadLocked: Phase = ({ kind, thread, actor }) =>
  kind === 'post' && thread.locked && !isModerator(actor)
    ? { kind: 'refuse', error: errors.locked(), reason: { rule: 'thread_locked', detail: 'the thread is locked' } }
    : null;
