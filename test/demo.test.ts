import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleFromName, importSeedThread, loadSeed, SEED_THREAD_ID } from '../server/cli/seed.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

let redis: TestRedis;
let server: TestServer;

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer());
});

afterAll(() => stopServerAndRedis(server, redis));

describe('handleFromName', () => {
  it.each([
    ['Matt Hartwell', 'MattHartwell'],
    ['I am Sam', 'IamSam'],
    ['itsonlyrocknroll', 'itsonlyrocknroll'],
    ['Strikebreaker555', 'Strikebreaker555'],
  ])('%s -> %s', (name, handle) => expect(handleFromName(name)).toBe(handle));
});

describe('seed import', () => {
  it('imports the article and its 17 comments with real mentions and recovered replies, idempotently', async () => {
    const deps = server.app.deps;
    const result = await importSeedThread(deps);
    expect(result.comments).toHaveLength(17);
    expect(result.users).toHaveLength(new Set(loadSeed().comments.map((c) => c.author)).size);

    const byAuthor = (handle: string) => result.comments.filter((c) => c.author.handle === handle);
    const ozzie = byAuthor('ozziedesigner')[0]!;
    const rock = byAuthor('itsonlyrocknroll');
    expect(ozzie.mentions).toEqual([{ userId: 'seed-itsonlyrocknroll', handle: 'itsonlyrocknroll' }]);
    expect(ozzie.parentId).toBe(rock[0]!.id);
    // "Hi ozziedesigner," answers ozziedesigner without being an @mention.
    expect(rock[1]!.parentId).toBe(ozzie.id);
    expect(rock[1]!.mentions).toEqual([]);
    expect(rock[1]!.body).toContain('https://www.newyorker.com/news/sporting-scene/politics-are-center-stage-at-a-south-korean-olympics');
    // "re: <quote>" answers the quoted comment.
    expect(byAuthor('bjohnson23')[0]!.parentId).toBe(byAuthor('Strikebreaker555')[0]!.id);
    // "The reality politically, Matt Hartwell, is ..." answers Matt.
    expect(rock[2]!.parentId).toBe(byAuthor('MattHartwell')[0]!.id);
    expect(byAuthor('MattHartwell')[0]!.author.name).toBe('Matt Hartwell');

    const again = await importSeedThread(deps);
    expect(again.comments.map((c) => c.id)).toEqual(result.comments.map((c) => c.id));
    const thread = await request(server.url).get(`/api/threads/${SEED_THREAD_ID}`);
    expect(thread.body.thread).toMatchObject({
      commentCount: 17,
      offset: 17,
      title: 'Kim Jong Un invites Moon Jae-in to Pyongyang',
    });
    const page = await request(server.url).get(`/api/threads/${SEED_THREAD_ID}/comments?order=oldest&limit=100`);
    expect(page.body.comments.map((c: { author: { name: string } }) => c.author.name)).toEqual(loadSeed().comments.map((c) => c.author));
  });

  it('runs as `npm run demo`, printing a token and URLs', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/cli/demo.ts'], {
      env: { ...process.env, REDIS_URL: redis.url, REDIS_PREFIX: 'democli:', AUTH_JWT_SECRET: 'x'.repeat(40), PORT: '3999' },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/Imported "korea-summit": 17 comments by 13 readers/);
    expect(stdout).toMatch(/export TOKEN=eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(stdout, 'the demo shows how to mint more tokens, with npm -s so TOKEN=$(…) captures only the token').toContain(
      'TOKEN=$(npm run -s token -- ',
    );
    expect(stdout).toContain('http://localhost:3999/api/threads/korea-summit/comments');
    expect(await redis.client.zcard('democli:{t:korea-summit}:visible')).toBe(17);
  });
});
