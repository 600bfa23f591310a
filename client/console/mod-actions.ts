import type { ModerationSocket } from '../sdk/moderation.ts';
import type { Ack, AuthoredComment, CommentAction, ModClientToServerEvents } from '../../contract/index.ts';
import type { Say } from './layout.ts';
import type { ItemHandlers } from './queue-list.ts';

const BAN_SECONDS = 86_400;

/** An acknowledged request on the socket; no answer in 10 s counts as `unavailable`. */
async function request<E extends 'mod:action' | 'mod:claim' | 'mod:ban'>(
  socket: ModerationSocket,
  event: E,
  payload: Parameters<ModClientToServerEvents[E]>[0],
) {
  const withTimeout = socket.timeout(10_000) as unknown as { emitWithAck(e: E, p: typeof payload): Promise<Ack<Record<string, unknown>>> };
  try {
    return await withTimeout.emitWithAck(event, payload);
  } catch {
    return { ok: false as const, error: { code: 'unavailable' as const, message: 'No answer from the server in time' } };
  }
}

/** Approve/reject/feature/restore, claim and ban, each saying how it went and reloading the queue after. */
export function moderationActions(socket: ModerationSocket, say: Say, refreshSoon: () => void): Omit<ItemHandlers, 'select'> {
  const act = async (commentId: string, action: CommentAction) => {
    const res = await request(socket, 'mod:action', { commentId, action });
    if (res.ok) say(`${action}: done`);
    else say(`${action}: ${res.error.message}`, true);
    refreshSoon();
  };
  // A ban is heavy: the first press (or click) asks, a second on the same author within 5 s bans.
  let banArmed: { userId: string; until: number } | undefined;
  const ban = async (c: AuthoredComment) => {
    if (!banArmed || banArmed.userId !== c.author.id || banArmed.until < Date.now()) {
      banArmed = { userId: c.author.id, until: Date.now() + 5_000 };
      return say(`Press b again (or click ban again) to ban @${c.author.handle} for 24 hours`);
    }
    banArmed = undefined;
    const res = await request(socket, 'mod:ban', {
      userId: c.author.id,
      durationSeconds: BAN_SECONDS,
      reason: `from the console, on ${c.id}`,
    });
    say(res.ok ? `@${c.author.handle} is banned for 24 hours` : `ban: ${res.error.message}`, !res.ok);
    refreshSoon();
  };
  const claim = async (commentId: string) => {
    const res = await request(socket, 'mod:claim', { commentId });
    say(res.ok ? 'Claimed for two minutes' : `claim: ${res.error.message}`, !res.ok);
    refreshSoon();
  };
  return { act, ban, claim };
}
