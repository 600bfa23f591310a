import { rooms } from '../../contract/index.ts';
import type { Actor, Deps } from '../context.ts';
import { errors } from '../errors.ts';

/** The ports this use case uses. */
export type SignalTypingDeps = Pick<Deps, 'store' | 'emitter'>;

const TYPING_WINDOW_MS = 3_000;

/** Tells the thread's other viewers that this user is typing, at most once per 3 s per user. */
export async function signalTyping(deps: SignalTypingDeps, actor: Actor, input: { threadId: string }): Promise<{ sent: boolean }> {
  if (!actor) throw errors.unauthenticated('Sign in to comment');
  if (!(await deps.store.presence.claimTyping(input.threadId, actor.id, TYPING_WINDOW_MS))) return { sent: false };
  await deps.emitter.emit(
    rooms.thread(input.threadId),
    'thread:typing',
    { threadId: input.threadId, user: { handle: actor.handle, name: actor.name } },
    // None of the typist's own tabs need to hear it.
    { except: [rooms.user(actor.id)] },
  );
  return { sent: true };
}
