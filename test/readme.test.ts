import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ClientIdSchema, CommentSchema, ERROR_CODES, HTTP_STATUS_BY_CODE, clientEvents, restRoutes } from '../contract/index.ts';
import { configSchema } from '../server/config.ts';
import { TEST_SECRET } from './support/server.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README stays true', () => {
  it('documents every configuration variable in the table', () => {
    for (const name of Object.keys(configSchema.shape)) {
      // A row may document related variables together: | `A` · `B` | ...
      expect(readme, `README config table lists ${name}`).toMatch(
        new RegExp(`^\\| (\`[A-Z_]+\` · )*\`${name}\`( · \`[A-Z_]+\`)* \\|`, 'm'),
      );
    }
  });

  it('documents every error code with its HTTP status', () => {
    for (const code of ERROR_CODES) expect(readme).toContain(`\`${code}\` ${HTTP_STATUS_BY_CODE[code]}`);
  });

  it('documents every socket event and REST route', () => {
    for (const event of Object.keys(clientEvents)) expect(readme).toContain(`\`${event}\``);
    for (const route of restRoutes) expect(readme).toContain(route.path.split('?')[0]!);
  });

  it('shows every field of a comment, and that a tombstone has author null', () => {
    const shape = /A \*\*comment\*\* is `\{([^`]+)\}`/.exec(readme)?.[1];
    expect(shape, 'README states the comment shape').toBeDefined();
    const fields = [...shape!.matchAll(/(?:^|, )(\w+)/g)].map((m) => m[1]);
    expect(fields, 'README comment shape, field by field, as contract CommentSchema').toEqual(Object.keys(CommentSchema.shape));
    expect(shape).toContain('author:{id,handle,name}|null');
  });

  it('states the clientId format (8-64 of A-Za-z0-9_-) for REST and socket posts', () => {
    const rest = readme.split('\n').find((l) => l.startsWith('| `POST /api/threads/:threadId/comments`'));
    const socket = readme.split('\n').find((l) => l.startsWith('| `comment:post`'));
    for (const row of [rest, socket]) expect(row, 'the clientId format is in the row').toContain('8-64 characters of `A-Za-z0-9_-`');
    expect(ClientIdSchema.safeParse('a'.repeat(8)).success && !ClientIdSchema.safeParse('a'.repeat(7)).success, 'the contract agrees').toBe(
      true,
    );
    expect(ClientIdSchema.safeParse('a'.repeat(64)).success && !ClientIdSchema.safeParse(`${'a'.repeat(63)}.`).success).toBe(true);
  });

  it('gives the two commands a newcomer runs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('mints a token with the documented command: TOKEN=$(…) captures exactly one JWT', async () => {
    // The command as a reader copies it from the README, run by a shell the way they would.
    const command = /(npm run[^\n)]*\btoken -- [^\n)]*)/.exec(readme)?.[1];
    expect(command, 'README shows how to mint a token with npm run … token -- …').toBeDefined();
    const { stdout } = await promisify(execFile)('sh', ['-c', `TOKEN=$(${command!}) && printf '%s' "$TOKEN"`], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, NODE_ENV: 'test', AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(stdout, `TOKEN=$(${command!}) should capture the token and nothing else (no npm banner)`).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(stdout.split('.')[1]!, 'base64url').toString('utf8')) as { handle: string };
    expect(claims.handle).toBe('alice');
  }, 70_000);
});
