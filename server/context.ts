import type { IdentityCache } from './auth/identity-cache.ts';
import type { TokenVerifier } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Queues } from './jobs/queues.ts';
import type { PostingAttempt, TakenLimits } from './limits/posting.ts';
import type { RecoveryBudget } from './limits/recovery.ts';
import type { ReportLimits } from './limits/reports.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { ModFeed } from './moderation/feed.ts';
import type { WordlistCache } from './moderation/wordlists.ts';
import type { Store } from './store/index.ts';
import type { RoomEmitter } from './store/room-emitter.ts';

// The user shape and the role checks live in the domain; re-exported for the edges that import them from here.
export { isModerator, requireAdmin, requireModerator, type Actor, type AuthUser, type Origin } from './domain/actor.ts';

/**
 * What every process builds (servers and workers alike) from config and a
 * Redis connection: no secret needed. Nothing here knows about HTTP or sockets.
 */
export interface CoreDeps {
  config: Config;
  store: Store;
  /** Emits to Socket.IO rooms on every instance. Thread events are not sent here: the write scripts publish them. */
  emitter: RoomEmitter;
  /** The moderators' live feed. */
  modFeed: ModFeed;
  /** Producer side of the worker queues. */
  queues: Queues;
  log: Logger;
  metrics: Metrics;
  /** Business time (what is stored or compared with stored times); infrastructure timers use the system clock. */
  now: () => Date;
}

/**
 * A server instance's services: the core plus what only requests need
 * (tokens, limits, word lists). Use cases do not take this bag: each names
 * the members it uses (`Pick<Deps, ...>`, see usecases/*), and workers get
 * only CoreDeps.
 */
export interface Deps extends CoreDeps {
  tokens: TokenVerifier;
  identities: IdentityCache;
  /** Posting limits (see limits/posting.ts): `check` resolves or throws `rate_limited`; `take` says and can give back. */
  limits: { check(attempt: PostingAttempt): Promise<void>; take(attempt: PostingAttempt): Promise<TakenLimits> };
  /** Reports per reader (see limits/reports.ts). */
  reportLimits: ReportLimits;
  /** Recovered bytes per client IP (see limits/recovery.ts). */
  recoveryBudget: RecoveryBudget;
  wordlists: WordlistCache;
}
