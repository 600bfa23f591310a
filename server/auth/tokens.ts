import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { DisplayNameSchema, HandleSchema, RoleSchema, UserIdSchema, type Role } from '../../contract/index.ts';
import type { UserIdentity } from '../domain/actor.ts';
import { readDisplayName } from '../domain/invisible.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

/** Claims a host site puts in the HS256 token it signs for a reader. */
export const ClaimsSchema = z.object({
  sub: UserIdSchema,
  handle: HandleSchema,
  // Stored and shown normalised; whether hidden characters were taken out decides if a namesake is refused (readDisplayName).
  name: DisplayNameSchema.transform(readDisplayName).refine((n) => n.name.length > 0, 'has no visible characters'),
  role: RoleSchema,
  email: z.email().max(254).optional(),
  exp: z.number().int(),
  // Optional: tokens without it count as issued before any erasure of their user (store/users.ts).
  iat: z.number().optional(),
});

export interface VerifiedToken extends UserIdentity {
  /** The token's name had characters nobody sees, taken out of `name`. */
  nameHidden: boolean;
  expiresAt: Date;
  /** The token's iat in seconds, if it has one. */
  issuedAt: number | undefined;
}

export const CLOCK_TOLERANCE_SECONDS = 5;

export class TokenVerifier {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly rules: Pick<Config['auth'], 'maxTokenTtlSeconds' | 'issuer' | 'audience'>,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /**
   * The one check every token passes (REST, both socket namespaces,
   * auth:refresh). Throws `unauthenticated` naming what is wrong (expired,
   * bad signature, missing claim, wrong issuer or audience, too long a life).
   */
  async verify(token: string): Promise<VerifiedToken> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        ...(this.rules.issuer ? { issuer: this.rules.issuer } : {}),
        ...(this.rules.audience ? { audience: this.rules.audience } : {}),
      }));
    } catch (err) {
      throw new AppError('unauthenticated', describeJoseError(err), { context: { reason: String(err) } });
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) {
      const issue = claims.error.issues[0];
      throw new AppError('unauthenticated', `Token claims are invalid: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    const c = claims.data;
    // A token minted for months would outlive any ban or role change on the host
    // site by that long if it leaked; its exp, not its iat, says how long it works.
    const maxExp = Math.floor(Date.now() / 1000) + this.rules.maxTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS;
    if (c.exp > maxExp) {
      throw new AppError(
        'unauthenticated',
        `Token lifetime is too long: exp may lie at most ${this.rules.maxTokenTtlSeconds} seconds ahead; ask the site for a shorter-lived token`,
        {
          context: { exp: c.exp, maxExp },
        },
      );
    }
    // An account erasure is remembered for AUTH_MAX_TOKEN_TTL_SECONDS, on the promise that no token
    // issued before it still works by then: a token's whole life, not only what is left of it, is bounded.
    if (c.iat !== undefined && c.exp - c.iat > this.rules.maxTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS) {
      throw new AppError(
        'unauthenticated',
        `Token lifetime is too long: exp may lie at most ${this.rules.maxTokenTtlSeconds} seconds after iat; ask the site for a shorter-lived token`,
        {
          context: { exp: c.exp, iat: c.iat },
        },
      );
    }
    return {
      id: c.sub,
      handle: c.handle,
      name: c.name.name,
      nameHidden: c.name.hidden,
      role: c.role,
      email: c.email,
      expiresAt: new Date(c.exp * 1000),
      issuedAt: c.iat,
    };
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'Token has expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss' || err.claim === 'aud')
      return `Token claim ${err.claim} is ${err.reason === 'missing' ? 'missing' : 'not the one this site accepts'}`;
    return `Token claim ${err.claim} is invalid`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'Token must be signed with HS256';
  return 'Token is malformed';
}

export interface TokenClaims {
  sub: string;
  handle: string;
  name: string;
  role: Role;
  email?: string;
}

/**
 * Mints a token the way a host site would; used by `npm run token`, the demo
 * and tests. Pass the server's `auth` settings to get the iss and aud it checks.
 */
export async function signToken(
  secret: string,
  claims: TokenClaims,
  ttlSeconds = 3600,
  site: Partial<Pick<Config['auth'], 'issuer' | 'audience'>> = {},
): Promise<string> {
  const jwt = new SignJWT({ handle: claims.handle, name: claims.name, role: claims.role, ...(claims.email ? { email: claims.email } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (site.issuer) jwt.setIssuer(site.issuer);
  if (site.audience) jwt.setAudience(site.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
