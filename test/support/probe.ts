import request from 'supertest';
import type { Comment } from '../../contract/index.ts';
import { connectSocket, ok, type ClientSocket } from './clients.ts';

/**
 * A raw Socket.IO reader that never re-joins or recovers: what it holds is only what reached it
 * live. It tells a test whether a fault really made live delivery miss something (else the
 * healing the test is about was never exercised). It looks for ids anywhere in any server event,
 * so it does not depend on how events are framed (one per message or batched).
 */
export interface LiveProbe {
  socket: ClientSocket;
  /** Whether `id` arrived in any server event since the probe joined. */
  saw(id: string): boolean;
  /** `thread:sync` hints received. */
  syncs: number;
}

export async function liveProbe(url: string, threadId: string): Promise<LiveProbe> {
  const socket = await connectSocket(url, undefined, { reconnection: true });
  const frames: string[] = [];
  const probe: LiveProbe = { socket, saw: (id) => frames.some((f) => f.includes(id)), syncs: 0 };
  socket.onAny((event: string, payload: unknown) => {
    if (event === 'thread:sync') probe.syncs++;
    frames.push(JSON.stringify(payload));
  });
  await ok(socket, 'thread:join', { threadId });
  return probe;
}

/** Every stored, visible comment of a thread, oldest first, read page by page over REST from `url`. */
export async function storedComments(url: string, threadId: string): Promise<Comment[]> {
  const out: Comment[] = [];
  let cursor: string | null = null;
  do {
    const res: { body: { comments: Comment[]; nextCursor: string | null } } = await request(url)
      .get(`/api/threads/${threadId}/comments`)
      .query({ order: 'oldest', limit: 100, ...(cursor ? { cursor } : {}) })
      .expect(200);
    out.push(...res.body.comments);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}
