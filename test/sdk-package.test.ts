import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../server/bootstrap/redis.ts';
import { makeUser, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, type TestServer } from './support/server.ts';

/*
 * The SDK as an app developer gets it: `npm pack` of client/sdk (which builds
 * it), installed from the tarball into a project outside the repo, used from
 * plain Node (no tsx) and type-checked with ordinary tsconfigs.
 */
const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..');
const sdkDir = join(repo, 'client/sdk');
const tsc = join(repo, 'node_modules/.bin/tsc');

let scratch: string;
let tarball: string;
let tarFiles: string[];
let redis: TestRedis;
let server: TestServer;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tl-sdk-consumer-'));
  const [started] = await Promise.all([
    startRedisAndServer(),
    (async () => {
      // prepack builds dist/ (tsc declarations + esbuild bundle).
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: sdkDir, timeout: 40_000 });
      const [packed] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
      tarball = join(scratch, packed!.filename);
      tarFiles = packed!.files.map((f) => f.path);
      writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }));
      // socket.io-client and zod come from the npm cache; nothing here needs the network.
      await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: scratch,
        timeout: 40_000,
      });
    })(),
  ]);
  ({ redis, server } = started);
  alice = await makeUser({ name: 'Alice' });
  bob = await makeUser({ name: 'Bob' });
}, 60_000);

afterAll(async () => {
  await stopServerAndRedis(server, redis);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the packed SDK', () => {
  it('ships only dist/, package.json and README: built JavaScript and declarations, nothing of the server', () => {
    const unexpected = tarFiles.filter((f) => !/^(dist\/|package\.json$|README\.md$)/.test(f));
    expect(unexpected, 'files in the tarball outside dist/, package.json, README.md').toEqual([]);
    expect(tarFiles, 'the tarball has the ESM bundle, its declarations and a README').toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/types/client/sdk/index.d.ts', 'dist/types/contract/index.d.ts', 'README.md']),
    );
    expect(statSync(tarball).size, 'tarball bytes').toBeLessThan(40_000);
    const pkg = JSON.parse(readFileSync(join(scratch, 'node_modules/@threadline/sdk/package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.private, 'the SDK package is publishable').toBeUndefined();
    const js = readFileSync(join(scratch, 'node_modules/@threadline/sdk/dist/index.js'), 'utf8');
    const imports = [...js.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(
      imports,
      'the bundle imports socket.io-client only (zod is external, so a runtime import of it would show here): no Node built-ins, no .ts paths',
    ).toEqual(['socket.io-client']);
  });

  it('runs in plain Node from the tarball: connects, joins, posts, and recovers after a disconnect', async () => {
    const threadId = `pkg-${Date.now().toString(36)}`;
    writeFileSync(
      join(scratch, 'smoke.mjs'),
      `
import { connect } from '@threadline/sdk';
const { URL: url, TOKEN, BOB_TOKEN, THREAD } = process.env;
const until = (what, cond) => new Promise((ok, fail) => {
  const t = setInterval(() => { if (cond()) { clearInterval(t); clearTimeout(to); ok(); } }, 20);
  const to = setTimeout(() => { clearInterval(t); fail(new Error('timed out waiting for ' + what)); }, 10000);
});
const states = [];
// A fixed reconnection delay leaves time for the post below to land while this client is away.
const client = connect({ url, token: TOKEN, onConnectionChange: (up) => states.push(up), socket: { reconnectionDelay: 1000, randomizationFactor: 0 } });
const view = await client.joinThread(THREAD);
const first = await client.post({ threadId: THREAD, body: 'first' });
await until('own comment in the view', () => view.comments.some((c) => c.id === first.id));
client.socket.io.engine.close();
await until('disconnect', () => states.includes(false));
const res = await fetch(url + '/api/threads/' + THREAD + '/comments', {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + BOB_TOKEN }, body: JSON.stringify({ body: 'while away' }),
});
if (res.status !== 201) throw new Error('REST post answered ' + res.status);
const awayDuringPost = !client.connected;
const second = await client.post({ threadId: THREAD, body: 'second' });
await until('recovered view', () => view.comments.length === 3);
console.log(JSON.stringify({ states, awayDuringPost, bodies: view.comments.map((c) => c.body), second: second.body, offset: view.at.offset }));
client.close();
`,
    );
    const { stdout } = await run('node', ['smoke.mjs'], {
      cwd: scratch,
      timeout: 20_000,
      env: { ...process.env, URL: server.url, TOKEN: alice.token, BOB_TOKEN: bob.token, THREAD: threadId },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      states: boolean[];
      awayDuringPost: boolean;
      bodies: string[];
      offset: number;
    };
    expect(result.awayDuringPost, 'the other post landed while the client was disconnected (so the view had to recover it)').toBe(true);
    expect(result.states.slice(0, 3), 'connected, lost, reconnected').toEqual([true, false, true]);
    expect(result.bodies, 'the view holds its own posts and the one made while it was away, in order').toEqual([
      'first',
      'while away',
      'second',
    ]);
    expect(result.offset, 'the view followed every event').toBe(3);
  }, 30_000);

  it.each(['bundler', 'nodenext'] as const)(
    'type-checks a consumer with a standard tsconfig (moduleResolution %s)',
    async (resolution) => {
      writeFileSync(
        join(scratch, 'consumer.ts'),
        `
import { connect, isRetryable, ThreadlineError, type Comment, type ThreadlineClient, type ThreadView } from '@threadline/sdk';

const client: ThreadlineClient = connect({ url: 'https://comments.example.com', onUnread: (n: number) => void n });
export async function follow(threadId: string): Promise<Comment[]> {
  const view: ThreadView = await client.joinThread(threadId, { onEvent: (e) => void e.comment.body });
  const posted: Comment = await client.post({ threadId, body: 'hello' });
  return [...view.comments, posted];
}
export function describeError(err: unknown): string {
  return err instanceof ThreadlineError && isRetryable(err.code) ? 'try later' : 'failed';
}
// @ts-expect-error error codes are a closed union (the declarations carry the contract's types, not any)
export const notACode: ThreadlineError['code'] = 'no_such_code';
`,
      );
      const module = resolution === 'bundler' ? 'preserve' : 'nodenext';
      writeFileSync(
        join(scratch, `tsconfig.${resolution}.json`),
        JSON.stringify({
          compilerOptions: {
            target: 'es2022',
            lib: ['es2022', 'dom'],
            module,
            moduleResolution: resolution,
            strict: true,
            noEmit: true,
            // tsc --init's default. With false it passes too, but spends ~13 s checking zod's own declarations.
            skipLibCheck: true,
            types: [],
          },
          files: ['consumer.ts'],
        }),
      );
      const result = await run(tsc, ['-p', `tsconfig.${resolution}.json`], { cwd: scratch, timeout: 30_000 }).catch(
        (err: { stdout: string }) => err,
      );
      expect(result.stdout, `tsc errors with moduleResolution ${resolution}`).toBe('');
    },
    30_000,
  );
});

describe('the SDK example', () => {
  it('says the server is unreachable in one line, without a stack trace', async () => {
    const port = await freePort();
    const result = await run('node', ['--import', 'tsx', 'client/sdk/example.ts', `http://127.0.0.1:${port}`, 'some-thread'], {
      cwd: repo,
      timeout: 20_000,
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(result.code, 'exit code').toBe(1);
    const output = `${result.stdout}${result.stderr}`;
    expect(output, 'names the server it could not reach').toContain(`Could not reach Threadline at http://127.0.0.1:${port}`);
    expect(output, 'no stack trace').not.toMatch(/^\s+at /m);
  }, 30_000);
});
