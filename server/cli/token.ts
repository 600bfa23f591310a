/**
 * `TOKEN=$(npm run -s token -- --sub u1 --handle alice --name "Alice" --role commenter)`
 * prints a JWT signed with AUTH_JWT_SECRET (or the development secret), the
 * way a host site would mint one for a signed-in reader. Only the token goes
 * to stdout (usage and errors to stderr), and `-s` keeps npm's own banner out
 * of it, so `$(…)` captures exactly the token.
 */
import { parseArgs } from 'node:util';
import { RoleSchema } from '../../contract/index.ts';
import { resolveJwtSecret } from '../auth/dev-secret.ts';
import { ClaimsSchema, signToken } from '../auth/tokens.ts';
import { loadConfig } from '../config.ts';

const USAGE =
  'usage: npm run -s token -- --sub <user id> --handle <handle> --name <display name> [--role commenter|moderator|admin] [--email <address>] [--ttl <seconds>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      handle: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'commenter' },
      email: { type: 'string' },
      ttl: { type: 'string', default: '86400' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.sub || !values.handle || !values.name) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const ttl = Number(values.ttl);
  const claims = ClaimsSchema.omit({ exp: true }).extend({ role: RoleSchema }).safeParse({
    sub: values.sub,
    handle: values.handle,
    name: values.name,
    role: values.role,
    email: values.email,
  });
  if (!claims.success || !Number.isInteger(ttl) || ttl <= 0) {
    const issue = claims.success
      ? 'ttl must be a positive number of seconds'
      : claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    process.stderr.write(`Invalid token request: ${issue}\n${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  if (ttl > config.auth.maxTokenTtlSeconds) {
    process.stderr.write(
      `Invalid token request: ttl ${ttl} is over AUTH_MAX_TOKEN_TTL_SECONDS (${config.auth.maxTokenTtlSeconds}); the server would refuse the token\n${USAGE}\n`,
    );
    process.exit(2);
  }
  const { secret } = resolveJwtSecret(config);
  const token = await signToken(
    secret,
    { ...claims.data, name: claims.data.name.name, ...(claims.data.email ? { email: claims.data.email } : {}) },
    ttl,
    config.auth,
  );
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
