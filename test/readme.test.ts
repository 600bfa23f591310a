import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HTTP_STATUS_BY_CODE, clientEvents, restRoutes } from '../contract/index.ts';
import { configSchema } from '../server/config.ts';

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

  it('gives the two commands a newcomer runs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
