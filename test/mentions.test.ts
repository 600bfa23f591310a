import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MENTIONS, parseMentionCandidates } from '../server/domain/mentions.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

describe('parseMentionCandidates', () => {
  it.each([
    ['@itsonlyrocknroll\nNot sure I’d call the US peace loving', ['itsonlyrocknroll']],
    ['mail me at foo@bar.com or first.last@example.org', []],
    ['@matt, you are wrong', ['matt']],
    ['@matt: and @matt. and @matt!', ['matt']],
    ['(@alice) and [@Bob]?', ['alice', 'bob']],
    ['@alice @ALICE @Alice', ['alice']],
    ['@a is too short', []],
    [`@${'x'.repeat(33)} is too long`, []],
    [`@${'x'.repeat(32)} fits`, ['x'.repeat(32)]],
    ['x@alice is not a mention', []],
    ['é@alice is not a mention either', []],
    ['@alice_smith.', ['alice_smith']],
    ['@alice@bob', ['alice']],
    ['line one\n@bob on a new line', ['bob']],
    ['Hi ozziedesigner, no at-sign here', []],
    ['@@double', []],
  ])('%j -> %j', (body, expected) => {
    expect(parseMentionCandidates(body)).toEqual(expected);
  });
});

describe('mentions on posted comments', () => {
  let redis: TestRedis;
  let server: TestServer;
  let author: TestUser;
  let rock: TestUser;
  const people: TestUser[] = [];

  beforeAll(async () => {
    ({ redis, server } = await startRedisAndServer());
    author = await makeUser({ handle: 'ozziedesigner', name: 'ozziedesigner' });
    rock = await makeUser({ handle: 'itsonlyrocknroll', name: 'itsonlyrocknroll' });
    for (let i = 0; i < 12; i++) people.push(await makeUser({ handle: `person${i}`, name: `Person ${i}` }));
    // Users become known on first sight.
    for (const u of [author, rock, ...people]) {
      await request(server.url).get('/api/threads/warmup').set('Authorization', `Bearer ${u.token}`).expect(200);
    }
  });

  afterAll(() => stopServerAndRedis(server, redis));

  const post = (body: string, clientBody: Record<string, unknown> = {}) =>
    request(server.url)
      .post('/api/threads/mentions/comments')
      .set('Authorization', `Bearer ${author.token}`)
      .send({ body, ...clientBody });

  it('resolves the seed thread’s @itsonlyrocknroll to that user', async () => {
    const res = await post('@itsonlyrocknroll\nNot sure I’d call the US & it’s vassal state allies peace loving either.');
    expect(res.status).toBe(201);
    expect(res.body.comment.mentions).toEqual([{ userId: rock.id, handle: 'itsonlyrocknroll' }]);
  });

  it('matches case-insensitively but reports the stored handle', async () => {
    const res = await post('thanks @ITSONLYROCKNROLL!');
    expect(res.body.comment.mentions).toEqual([{ userId: rock.id, handle: 'itsonlyrocknroll' }]);
  });

  it('leaves unknown handles as plain text and never mentions the author', async () => {
    const res = await post('@nobody_here and @ozziedesigner and foo@itsonlyrocknroll.com');
    expect(res.body.comment.mentions).toEqual([]);
    expect(res.body.comment.body).toBe('@nobody_here and @ozziedesigner and foo@itsonlyrocknroll.com');
  });

  it(`keeps at most ${MAX_MENTIONS} mentions, in order, without duplicates`, async () => {
    const body = [...people.slice(0, 11), people[0]!].map((p) => `@${p.handle}`).join(' ');
    const res = await post(body);
    expect(res.body.comment.mentions.map((m: { handle: string }) => m.handle)).toEqual(people.slice(0, 10).map((p) => p.handle));
  });

  it('refuses client-supplied mentions', async () => {
    const res = await post('hello', { mentions: [{ userId: rock.id, handle: 'itsonlyrocknroll' }] });
    expect(res.status).toBe(400);
  });
});
