import type { RedisClient } from '../store/redis.ts';
import { RateLimiterRes, type RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimitScope } from '../../contract/index.ts';
import type { Config } from '../config.ts';
import { isModerator, type AuthUser } from '../domain/actor.ts';
import { errors, type AppError } from '../errors.ts';
import { USER_RATE_LIMITERS, type Keys } from '../store/keys.ts';
import { redisLimiter } from './limiter.ts';

export interface PostingAttempt {
  actor: AuthUser;
  /** The client's address (after trusted proxies), when known. */
  ip: string | undefined;
  threadId: string;
  /** The thread's slow mode; 0 = off. Applies to new comments, not edits. */
  slowModeSeconds: number;
  kind: 'post' | 'edit';
  now: Date;
  /**
   * Which limits: `budgets` the per-user and per-IP ones, `slow_mode` the
   * thread's alone (when it applies), all of them by default. A write takes its
   * budgets alongside its pre-write read, before it knows the thread's slow mode.
   */
  part?: 'budgets' | 'slow_mode';
}

/** What one attempt took from the limits. */
export interface TakenLimits {
  /** `rate_limited` (or `unavailable`) when a limit refused; what the others took is already given back. */
  refusal: AppError | null;
  /** Gives back what was taken (the write was refused for another reason); a no-op after a refusal. Never throws. */
  giveBack(): Promise<void>;
}

const giveNothing = (): Promise<void> => Promise.resolve();
const nothingTaken: TakenLimits = { refusal: null, giveBack: giveNothing };

type Scope = Extract<RateLimitScope, 'user' | 'ip' | 'slow_mode'>;

interface Check {
  limiter: RateLimiterRedis;
  key: string;
  scope: Scope;
}

/**
 * Posting limits shared by every server through Redis (rate-limiter-flexible):
 * per user (short and long windows; half for new accounts; moderators
 * exempt), per client IP, and the thread's slow mode. Checked before anything
 * is written; a refused attempt gives back the points it took from the other
 * limits, so being refused does not use up your budget.
 */
export class PostingLimits {
  private readonly userShort: RateLimiterRedis;
  private readonly userLong: RateLimiterRedis;
  private readonly newUserShort: RateLimiterRedis;
  private readonly newUserLong: RateLimiterRedis;
  private readonly ip: RateLimiterRedis;
  private readonly slowMode = new Map<number, RateLimiterRedis>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly config: Config,
  ) {
    const { userShort, userLong, ip } = config.limits;
    const half = (n: number) => Math.max(1, Math.floor(n / 2));
    this.userShort = this.limiter(USER_RATE_LIMITERS.userShort, userShort.points, userShort.seconds);
    this.userLong = this.limiter(USER_RATE_LIMITERS.userLong, userLong.points, userLong.seconds);
    this.newUserShort = this.limiter(USER_RATE_LIMITERS.newUserShort, half(userShort.points), userShort.seconds);
    this.newUserLong = this.limiter(USER_RATE_LIMITERS.newUserLong, half(userLong.points), userLong.seconds);
    this.ip = this.limiter('ip', ip.points, ip.seconds);
  }

  private limiter(name: string, points: number, duration: number): RateLimiterRedis {
    return redisLimiter(this.redis, this.keys, name, points, duration);
  }

  private slowModeLimiter(seconds: number): RateLimiterRedis {
    let limiter = this.slowMode.get(seconds);
    if (!limiter) {
      limiter = this.limiter(`slow-${seconds}`, 1, seconds);
      this.slowMode.set(seconds, limiter);
    }
    return limiter;
  }

  /** Resolves when the attempt is within every limit; otherwise throws `rate_limited` with retryAfterMs. */
  async check(a: PostingAttempt): Promise<void> {
    const { refusal } = await this.take(a);
    if (refusal) throw refusal;
  }

  /**
   * Takes a point from every limit that applies (in one round trip); refused,
   * it gives back what the others took and says why, with the longest wait.
   */
  async take(a: PostingAttempt): Promise<TakenLimits> {
    const checks: Check[] = [];
    const budgets = a.part !== 'slow_mode';
    if (!isModerator(a.actor)) {
      const isNew = a.now.getTime() - a.actor.firstSeenAt.getTime() < this.config.limits.newAccountMs;
      if (budgets) {
        checks.push({ limiter: isNew ? this.newUserShort : this.userShort, key: a.actor.id, scope: 'user' });
        checks.push({ limiter: isNew ? this.newUserLong : this.userLong, key: a.actor.id, scope: 'user' });
      }
      if (a.part !== 'budgets' && a.kind === 'post' && a.slowModeSeconds > 0) {
        checks.push({ limiter: this.slowModeLimiter(a.slowModeSeconds), key: `${a.threadId}\n${a.actor.id}`, scope: 'slow_mode' });
      }
    }
    if (budgets && a.ip) checks.push({ limiter: this.ip, key: a.ip, scope: 'ip' });
    if (checks.length === 0) return nothingTaken;

    const results = await Promise.allSettled(checks.map((c) => c.limiter.consume(c.key)));
    const giveBack = async () => {
      await Promise.allSettled(results.flatMap((r, i) => (r.status === 'fulfilled' ? [checks[i]!.limiter.reward(checks[i]!.key)] : [])));
    };
    const refused: { check: Check; res: RateLimiterRes }[] = [];
    let failure: unknown;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      if (r.reason instanceof RateLimiterRes) refused.push({ check: checks[i]!, res: r.reason });
      else failure = r.reason;
    });
    if (refused.length === 0 && failure === undefined) return { refusal: null, giveBack };

    // Give back what this refused attempt took from the limits it passed.
    await giveBack();
    if (failure !== undefined) return { refusal: errors.unavailable(failure), giveBack: giveNothing };
    const worst = refused.reduce((a, b) => (b.res.msBeforeNext > a.res.msBeforeNext ? b : a));
    return { refusal: refusal(worst.check, worst.res.msBeforeNext), giveBack: giveNothing };
  }
}

function refusal(check: Check, retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const limit = { points: check.limiter.points, seconds: check.limiter.duration };
  const message =
    check.scope === 'slow_mode'
      ? `Slow mode is on in this thread: one comment every ${limit.seconds} s. Try again in ${seconds} s`
      : check.scope === 'ip'
        ? `Too many comments from your network; try again in ${seconds} s`
        : `You are commenting too fast (at most ${limit.points} per ${limit.seconds} s); try again in ${seconds} s`;
  return errors.rateLimited(message, { scope: check.scope, limit }, retryAfterMs);
}
