import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.ts';

export interface JwtSecret {
  secret: string;
  /** Set when no AUTH_JWT_SECRET was given and a development secret is in use. */
  devSecretFile: string | undefined;
}

/**
 * AUTH_JWT_SECRET, or outside production a development secret kept in
 * DATA_DIR so that `npm start` and `npm run token` agree without any setup.
 */
export function resolveJwtSecret(config: Pick<Config, 'auth' | 'env' | 'dataDir'>): JwtSecret {
  if (config.auth.jwtSecret) return { secret: config.auth.jwtSecret, devSecretFile: undefined };
  if (config.env === 'production') throw new ConfigError('AUTH_JWT_SECRET is required when NODE_ENV=production');
  const file = join(config.dataDir, 'dev-jwt-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return { secret: existing, devSecretFile: file };
  } catch {
    // first run: create it below
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, devSecretFile: file };
}
