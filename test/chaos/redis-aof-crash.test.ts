import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../../contract/index.ts';
import { connectSocket, makeUser, request as emit, type ClientSocket } from '../support/clients.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { eventually } from '../support/wait.ts';

/**
 * Redis is killed with -9 while comments are posted, then started again from its append-only
 * file. Every acknowledged comment must be stored, except, with `appendfsync everysec`, those
 * acknowledged in the last EVERYSEC_WINDOW_MS before the kill (Redis documents up to 2 s of
 * writes at risk: the AOF write can be postponed while an fsync is running); with `always`, none.
 */
const EVERYSEC_WINDOW_MS = 2_000;
const POSTERS = 4;

describe.each(['everysec', 'always'] as const)('kill -9 of Redis with appendonly yes, appendfsync %s', (fsync) => {
  let redis: TestRedis;
  let server: TestServer;
  const threadId = `aof-${fsync}`;

  beforeAll(async () => {
    redis = await startRedis(['--appendonly', 'yes', '--appendfsync', fsync]);
    server = await startServer(redis.url);
  });

  afterAll(async () => {
    await server?.close();
    await redis?.stop();
  });

  async function storedIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const res: { body: { comments: Comment[]; nextCursor: string | null } } = await request(server.url)
        .get(`/api/threads/${threadId}/comments`)
        .query({ order: 'oldest', limit: 100, ...(cursor ? { cursor } : {}) })
        .expect(200);
      for (const c of res.body.comments) ids.add(c.id);
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  }

  it('restarts from its files with every acknowledged comment stored (within the documented window)', async () => {
    const sockets: ClientSocket[] = [];
    const acked: { id: string; at: number }[] = [];
    let killedAt = Infinity;
    try {
      for (let i = 0; i < POSTERS; i++)
        sockets.push(await connectSocket(server.url, (await makeUser({ handle: `aof_${fsync}_${i}` })).token));
      const loops = sockets.map(async (s, i) => {
        for (let k = 0; ; k++) {
          const res = await emit(s, 'comment:post', { threadId, body: `poster ${i} post ${k}`, clientId: `aof-${fsync}-${i}-${k}` });
          if (!res.ok) return res.error.code; // Redis is gone: this poster stops
          acked.push({ id: res.comment.id, at: Date.now() });
        }
      });
      await eventually(() => expect(acked.length).toBeGreaterThanOrEqual(300), 60_000, 20);
      killedAt = Date.now();
      await redis.kill();
      expect(await Promise.all(loops), 'how each poster stopped').toEqual(sockets.map(() => 'unavailable'));

      await redis.restart(); // loads the append-only file
      const stored = await (async () => {
        let ids = new Set<string>();
        await eventually(async () => void (ids = await storedIds()), 15_000, 200);
        return ids;
      })();
      const lost = acked.filter((a) => !stored.has(a.id));
      const lostOutsideWindow = lost.filter((a) => fsync === 'always' || a.at < killedAt - EVERYSEC_WINDOW_MS);
      expect(
        { acked: acked.length, lostOutsideWindow: lostOutsideWindow.map((a) => `${a.id} acked ${killedAt - a.at} ms before the kill`) },
        `acknowledged comments missing after the restart (${lost.length} lost in all)`,
      ).toEqual({ acked: acked.length, lostOutsideWindow: [] });
    } finally {
      for (const s of sockets) s.disconnect();
    }
  });
});
