import type { Role } from '../contract/index.ts';
import { errors } from './errors.ts';
import type { IdentityCache } from './auth/identity-cache.ts';
import type { TokenVerifier } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { PostingAttempt } from './limits/posting.ts';
import type { RecoveryBudget } from './limits/recovery.ts';
import type { ReportLimits } from './limits/reports.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { ModFeed } from './moderation/feed.ts';
import type { WordlistCache } from './moderation/wordlists.ts';
import type { RoomEmitter } from './realtime/room-emitter.ts';
import type { Store } from './store/index.ts';
import type { Queues } from '../workers/queues.ts';

/** A signed-in user as the server knows them (token claims + first-seen time). */
export interface AuthUser {
  id: string;
  handle: string;
  name: string;
  role: Role;
  email: string | undefined;
  /** When Threadline first saw this user (new accounts get stricter limits). */
  firstSeenAt: Date;
  expiresAt: Date;
}

/** null: an anonymous reader. */
export type Actor = AuthUser | null;

/** Where a request came from (for per-IP limits): the client address after trusted proxies. */
export interface Origin {
  ip: string | undefined;
}

/** Everything a use case may depend on. Nothing here knows about HTTP or sockets. */
export interface Deps {
  config: Config;
  store: Store;
  tokens: TokenVerifier;
  identities: IdentityCache;
  /** Emits to Socket.IO rooms on every instance. Thread events are not sent here: the write scripts publish them. */
  emitter: RoomEmitter;
  /** Posting limits (see limits/posting.ts); resolves or throws `rate_limited`. */
  limits: { check(attempt: PostingAttempt): Promise<void> };
  /** Reports per reader (see limits/reports.ts). */
  reportLimits: ReportLimits;
  /** Recovered bytes per client IP (see limits/recovery.ts). */
  recoveryBudget: RecoveryBudget;
  /** The moderators' live feed. */
  modFeed: ModFeed;
  wordlists: WordlistCache;
  /** Producer side of the worker queues. */
  queues: Queues;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
}

export const isModerator = (actor: Actor): boolean => actor?.role === 'moderator' || actor?.role === 'admin';

/** Moderation is for moderators and admins: anyone else gets unauthenticated (no token) or forbidden. */
export function requireModerator(actor: Actor): AuthUser {
  if (!actor) throw errors.unauthenticated('Sign in as a moderator');
  if (!isModerator(actor)) throw errors.forbidden('This is for moderators and admins');
  return actor;
}

export function requireAdmin(actor: Actor): AuthUser {
  if (!actor) throw errors.unauthenticated('Sign in as an admin');
  if (actor.role !== 'admin') throw errors.forbidden('This is for admins');
  return actor;
}
