import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { DisplayNameSchema, HandleSchema, RoleSchema, UserIdSchema, type Role } from '../../client/contract/index.ts';
import { readDisplayName } from '../domain/invisible.ts';
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
});

export interface VerifiedToken {
  id: string;
  handle: string;
  name: string;
  /** The token's name had characters nobody sees, taken out of `name`. */
  nameHidden: boolean;
  role: Role;
  email: string | undefined;
  expiresAt: Date;
}

const CLOCK_TOLERANCE_SECONDS = 5;

export class TokenVerifier {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Throws `unauthenticated` naming what is wrong (expired, bad signature, missing claim). */
  async verify(token: string): Promise<VerifiedToken> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
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
    return { id: c.sub, handle: c.handle, name: c.name.name, nameHidden: c.name.hidden, role: c.role, email: c.email, expiresAt: new Date(c.exp * 1000) };
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'Token has expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `Token claim ${err.claim} is invalid`;
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

/** Mints a token the way a host site would; used by `npm run token`, the demo and tests. */
export async function signToken(secret: string, claims: TokenClaims, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({ handle: claims.handle, name: claims.name, role: claims.role, ...(claims.email ? { email: claims.email } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
